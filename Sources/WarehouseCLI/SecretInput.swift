import Foundation
import WarehouseCore

/// A secret read from standard input instead of the command line, where `ps`
/// and the shell's history would show it: one line, its line break (and a
/// carriage return before it) left off. On a terminal it asks for it on
/// standard error and does not echo what is typed.
enum SecretInput {
    static func line(prompt: String) throws -> String {
        let terminal = isatty(STDIN_FILENO) == 1
        var saved = termios()
        if terminal {
            Terminal.writeError(prompt)
            tcgetattr(STDIN_FILENO, &saved)
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        }
        defer {
            if terminal {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
                Terminal.writeError("\n")
            }
        }
        guard var line = readLine(strippingNewline: true) else {
            throw WarehouseError("nothing came on standard input: give the key as one line (warehouse auth set-webhook-key - < key.txt).")
        }
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }
}
