/// The program's version, set here only: `warehouse --version`, `warehouse
/// info`, the server's `/healthz` and the dashboard's footer say it.
public enum Version {
    public static let number = "0.9.0"

    /// `warehouse 0.9.0 (schema version 9)`: the program, and the schema version it writes.
    public static var description: String { "warehouse \(number) (schema version \(Schema.currentVersion))" }
}
