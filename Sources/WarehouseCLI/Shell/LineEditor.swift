import CLibEdit
import CSQLite
import Foundation

/// Ctrl-C: stops the running query (`sqlite3_interrupt`; on PostgreSQL,
/// `PostgresCancel`) or, at the prompt, drops the line being typed; it never ends the shell.
enum ShellSignals {
    /// The connection whose query Ctrl-C should stop, while one runs.
    static var activeDatabase: OpaquePointer?
    static var interrupted: sig_atomic_t = 0

    static func install() {
        activeDatabase = nil
        interrupted = 0
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            ShellSignals.interrupted = 1
            if let db = ShellSignals.activeDatabase { sqlite3_interrupt(db) }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: a read at the prompt returns at once
        sigaction(SIGINT, &action, nil)
        // A blocked signal stays blocked across exec: a parent that started the shell from a
        // thread blocking SIGINT (a test runner's) would leave Ctrl-C pending for ever.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Whether Ctrl-C was pressed since the last call.
    static func takeInterrupt() -> Bool {
        defer { interrupted = 0 }
        return interrupted != 0
    }
}

/// The interactive line editor: libedit (BSD-licensed, Debian's libedit-dev)
/// through its readline interface. Emacs keys, arrow keys and history, Ctrl-R
/// reverse search, tab completion, and a history file kept across sessions.
final class LineEditor {
    enum Input {
        case line(String)
        case interrupted
        case end
    }

    let historyPath: String

    /// The completion candidates for (line up to the cursor, the word being completed).
    static var complete: (String, String) -> [String] = { _, _ in [] }
    private static var matches: [String] = []
    private static var nextMatch = 0

    init(historyPath: String, complete: @escaping (String, String) -> [String]) {
        self.historyPath = historyPath
        Self.complete = complete
        rl_readline_name = UnsafePointer(strdup("warehouse"))
        rl_catch_signals = 0
        rl_initialize()
        using_history()
        stifle_history(5000)
        _ = read_history(historyPath)
        // Words end at spaces, quotes and SQL punctuation, not at '.', '-' or '_'
        // (dot commands, --parameters and names complete whole).
        rl_completer_word_break_characters = strdup(" \t\n\"'`<>=;|&{}(),*+/%")
        rl_attempted_completion_function = { text, start, _ in
            let word = text.map { String(cString: $0) } ?? ""
            let line = rl_line_buffer.map { String(cString: $0) } ?? ""
            let upToWord = String(line.utf8.prefix(Int(start))) ?? ""
            LineEditor.matches = LineEditor.complete(upToWord, word)
            LineEditor.nextMatch = 0
            // Only our candidates (no file names) except where a command takes a file.
            let wantsFile = [".read", ".once", ".output"].contains(upToWord.split(separator: " ").first.map(String.init) ?? "")
            rl_attempted_completion_over = wantsFile ? 0 : 1
            if LineEditor.matches.isEmpty { return nil }
            return rl_completion_matches(text, { _, state in
                if state == 0 { LineEditor.nextMatch = 0 }
                guard LineEditor.nextMatch < LineEditor.matches.count else { return nil }
                defer { LineEditor.nextMatch += 1 }
                return strdup(LineEditor.matches[LineEditor.nextMatch])
            })
        }
    }

    func readLine(prompt: String) -> Input {
        _ = ShellSignals.takeInterrupt()
        guard let raw = readline(prompt) else {
            return ShellSignals.takeInterrupt() ? .interrupted : .end
        }
        defer { free(raw) }
        let line = String(cString: raw)
        if ShellSignals.takeInterrupt() { return .interrupted }
        if !line.trimmingCharacters(in: .whitespaces).isEmpty {
            add_history(line)
            _ = write_history(historyPath)
        }
        return .line(line)
    }
}
