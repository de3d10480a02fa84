import Foundation
import TestSupport
import Testing

/// Headless Chromium, where it is installed (`Scripts/test` installs Debian's).
enum Browser {
    static let path: String? = {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for name in ["chromium", "chromium-browser"] {
            for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/" + name) { return folder + "/" + name }
        }
        return nil
    }()

    /// Opens `page` in a headless browser that cannot resolve any host name
    /// (no request leaves the machine) and logs every network request.
    /// Returns the page's DOM once loaded, and the http(s), ws(s) and ftp
    /// requests the page made: those on behalf of its file:// origin (the
    /// browser's own background requests are not the page's).
    static func open(_ page: URL, in directory: URL, extra: [String] = []) throws -> (dom: String, requests: [String]) {
        let netLog = directory.appendingPathComponent("net-\(UUID().uuidString).json")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                             "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
                             "--user-data-dir=" + directory.appendingPathComponent("profile").path,
                             "--log-net-log=" + netLog.path] + extra + ["--dump-dom", page.absoluteString]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try ChildProcesses.run(process)
        // A browser that hangs is stopped: the test then fails on what it did not write.
        let watchdog = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 90, execute: watchdog)
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        return (dom, try requests(netLog))
    }

    static func requests(_ netLog: URL) throws -> [String] {
        let data = try Data(contentsOf: netLog)
        guard let log = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let constants = log["constants"] as? [String: Any], let types = constants["logEventTypes"] as? [String: Int],
              let startJob = types["URL_REQUEST_START_JOB"], let events = log["events"] as? [[String: Any]] else {
            Issue.record("the browser's net log cannot be read")
            return []
        }
        return events.compactMap { event in
            guard event["type"] as? Int == startJob, let params = event["params"] as? [String: Any],
                  let url = params["url"] as? String, (params["network_isolation_key"] as? String)?.hasPrefix("file://") == true,
                  ["http:", "https:", "ws:", "wss:", "ftp:"].contains(where: url.hasPrefix) else { return nil }
            return url
        }
    }
}

@Suite(.serialized, .tags(.slow), .disabled(if: TestRun.quick, TestRun.slowComment), .enabled(if: Browser.path != nil, "chromium is not installed: the browser checks are skipped (Scripts/test installs it)"))
struct BrowserTests {
    /// The check can fail: a page that loads an image and a style sheet from
    /// the network is caught making both requests.
    @Test func theRequestCheckSeesAPageThatFetches() throws {
        let s = try Scratch()
        let page = try s.write("fetches.html", """
            <!DOCTYPE html><html><head><link rel="stylesheet" href="https://fonts.example.invalid/a.css"></head>
            <body><p>fetches</p><img src="http://images.example.invalid/x.png"></body></html>
            """)
        let (dom, requests) = try Browser.open(URL(fileURLWithPath: page), in: s.url)
        #expect(dom.contains("<p>fetches</p>"))
        #expect(Set(requests) == ["https://fonts.example.invalid/a.css", "http://images.example.invalid/x.png"], "\(requests)")
    }

    /// The dashboard renders in a real browser, shows every section, and makes
    /// no network request; its CSP would also block one that a value smuggled in.
    @Test func theDashboardRendersEverySectionAndFetchesNothing() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        let made = try s.run("dashboard", "--db", "w.db", "--from", "2025-03-01", "--to", "2025-03-31", "--out", "page.html")
        try #require(made.status == 0, "\(made.stderr)")
        let page = s.url.appendingPathComponent("page.html")
        let (dom, requests) = try Browser.open(page, in: s.url)
        #expect(requests.isEmpty, "\(requests)")
        for id in dashboardSections {
            #expect(dom.contains("<section id=\"\(id)\""), "\(id)")
        }
        #expect(dom.contains("<h1>Support dashboard</h1>"))
        #expect(dom.components(separatedBy: "<svg ").count > 15, "the charts are in the rendered page")
        // The page's own policy stops a request even where one gets in.
        var html = try String(contentsOf: page, encoding: .utf8)
        html = html.replacingOccurrences(of: "<h1>", with: "<img src=\"http://images.example.invalid/x.png\"><h1>")
        try Data(html.utf8).write(to: page)
        #expect(try Browser.open(page, in: s.url).requests.isEmpty)
    }

    /// It lays out at a desktop's and a phone's width (a screenshot is written).
    @Test(arguments: ["1280,2000", "390,2000"])
    func theDashboardRendersAtDesktopAndPhoneWidths(_ size: String) throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        #expect(try s.run("dashboard", "--db", "w.db", "--out", "page.html").status == 0)
        let shot = s.url.appendingPathComponent("shot.png")
        _ = try Browser.open(s.url.appendingPathComponent("page.html"), in: s.url,
                             extra: ["--hide-scrollbars", "--window-size=" + size, "--screenshot=" + shot.path])
        let png = try Data(contentsOf: shot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000, "\(png.count) bytes")
    }
}
