"""The PostgreSQL part of Scripts/benchmark (SPEC 8; `Scripts/benchmark --postgresql`).

Starts a throwaway PostgreSQL server of the machine's packages (initdb as the
postgres user in the work directory, listening on a Unix socket only, PostgreSQL's
durable default settings), and on the data set of section 5:

- psql's `\\copy` of the export files into plain text tables: the floor for getting
  those rows into PostgreSQL (the peer of a load into PostgreSQL);
- `warehouse load --db postgresql://…` of the same files into a new schema, then again
  (an unchanged reload: its time, the write-ahead log it wrote, the rows it changed),
  alternating with the copies, three rounds, the fastest of each kept;
- `warehouse copy` of the loaded SQLite warehouse into PostgreSQL (every table,
  through COPY, in one transaction);
- every report of the library on both stores, alternating, median of each, run whole
  through the command line (process start and the connection included);
- the dashboard on both stores when the build draws it from PostgreSQL.

The server is stopped and its directory removed at the end.

With --citus (`Scripts/benchmark --postgresql --citus`), the same on a Citus cluster of
this machine (a coordinator and two workers, each a server as above with Citus
preloaded, on loopback ports; Citus must be installed: docs/postgresql.md): the
warehouse is distributed as it is made, `\\copy` goes into plain tables on the
coordinator, and the section is "Citus".
"""
import os, shutil, socket, statistics, subprocess, tempfile, time


def pg_bin():
    """The newest /usr/lib/postgresql/VERSION/bin with initdb, or None."""
    root = "/usr/lib/postgresql"
    versions = sorted((int(v) for v in os.listdir(root) if v.isdigit()), reverse=True) if os.path.isdir(root) else []
    for v in versions:
        b = f"{root}/{v}/bin"
        if os.path.exists(f"{b}/initdb"):
            return b
    return None


class Server:
    """A PostgreSQL server in a directory of its own, as the postgres user when root."""

    def __init__(self, work, port=None, settings=()):
        self.bin = pg_bin()
        if not self.bin:
            raise RuntimeError("PostgreSQL is not installed (Scripts/install-deps --postgresql)")
        self.dir = tempfile.mkdtemp(prefix="pg-", dir=work)
        self.root = os.geteuid() == 0
        if self.root:
            shutil.chown(self.dir, "postgres", "postgres")
            os.chmod(self.dir, 0o700)
        self.data = os.path.join(self.dir, "data")
        self.cmd(["initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"])
        self.port = port or 5432
        listen = f"-p {port} -c listen_addresses='127.0.0.1'" if port else "-c listen_addresses=''"
        options = f"-k {self.dir} {listen}" + "".join(f" -c {x}" for x in settings)
        self.cmd(["pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w", "-o", options, "start"])
        self.cmd(["createdb", "-h", self.dir, "-p", str(self.port), "-U", "postgres", "bench"])
        self.version = subprocess.run(self.wrap(["postgres", "--version"]), capture_output=True, text=True).stdout.strip()

    def wrap(self, argv):
        path = [os.path.join(self.bin, argv[0])] + argv[1:]
        return ["runuser", "-u", "postgres", "--"] + path if self.root else path

    def cmd(self, argv, **kw):
        return subprocess.run(self.wrap(argv), check=True, stdout=subprocess.DEVNULL, **kw)

    def url(self, schema):
        return f"postgresql://postgres@/bench?host={self.dir}&port={self.port}&schema={schema}"

    def psql(self, sql, **kw):
        return self.cmd(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.dir, "-p", str(self.port), "-U", "postgres", "bench", "-c", sql], **kw)

    def stop(self):
        subprocess.run(self.wrap(["pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"]), stdout=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


class CitusCluster(Server):
    """A coordinator (this object, a Server) and two workers with Citus preloaded, on
    loopback ports; the warehouse is made on the coordinator and distributes itself."""

    def __init__(self, work):
        settings = ["shared_preload_libraries=citus", "max_prepared_transactions=100"]
        ports = []
        for _ in range(3):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                ports.append(s.getsockname()[1])
        super().__init__(work, port=ports[0], settings=settings)
        self.workers = [Server(work, port=p, settings=settings) for p in ports[1:]]
        for node in [self] + self.workers:
            node.psql("CREATE EXTENSION citus")
        self.psql(f"SELECT citus_set_coordinator_host('127.0.0.1', {ports[0]})")
        for w in self.workers:
            self.psql(f"SELECT citus_add_node('127.0.0.1', {w.port})")
        self.version += " with Citus " + subprocess.run(
            self.wrap(["psql", "-X", "-qAt", "-h", self.dir, "-p", str(self.port), "-U", "postgres", "bench", "-c",
                       "SELECT extversion FROM pg_extension WHERE extname = 'citus'"]), capture_output=True, text=True).stdout.strip()

    def stop(self):
        for w in self.workers:
            w.stop()
        super().stop()


def header(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.readline().rstrip("\r\n").lstrip("\ufeff").split(",")


def psql_copy(server, files):
    """psql's \\copy of each file into a plain table of text columns made just before
    (and dropped right after), in one psql run; returns the seconds of the copies alone."""
    script = ["DROP SCHEMA IF EXISTS plain CASCADE;", "CREATE SCHEMA plain;"]
    for i, f in enumerate(files):
        columns = ", ".join(f'c{j} text' for j in range(len(header(f))))
        script.append(f"CREATE TABLE plain.t{i} ({columns});")
    setup = os.path.join(server.dir, "setup.sql")
    copies = os.path.join(server.dir, "copy.sql")
    with open(setup, "w") as out:
        out.write("\n".join(script) + "\n")
    with open(copies, "w") as out:
        for i, f in enumerate(files):
            out.write(f"\\copy plain.t{i} FROM '{f}' WITH (FORMAT csv, HEADER true)\n")
    if server.root:
        for p in (setup, copies):
            shutil.chown(p, "postgres")
    base = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", server.dir, "-p", str(server.port), "-U", "postgres", "bench", "-f"]
    server.cmd(base + [setup])
    start = time.perf_counter()
    server.cmd(base + [copies])
    seconds = time.perf_counter() - start
    # Gone before the load is timed: autovacuum would otherwise come by for their
    # 3.6 million new rows while it runs.
    server.psql("DROP SCHEMA plain CASCADE")
    return seconds


def wal_bytes(server):
    """The server's write-ahead log position, in bytes."""
    total = 0
    for node in [server] + getattr(server, "workers", []):
        out = subprocess.run(node.wrap(["psql", "-X", "-qAt", "-h", node.dir, "-p", str(node.port), "-U", "postgres", "bench", "-c",
                                        "SELECT pg_current_wal_lsn() - '0/0'"]), capture_output=True, text=True, check=True)
        total += int(float(out.stdout.strip()))
    return total


def changed_rows(server, schema):
    """Rows the last unchanged reload inserted or updated, by its load log (the six files)."""
    out = subprocess.run(server.wrap(["psql", "-X", "-qAt", "-h", server.dir, "-p", str(server.port), "-U", "postgres", "bench", "-c",
                                      f"SELECT sum(rows_inserted + rows_updated) FROM (SELECT * FROM {schema}.load_log "
                                      "ORDER BY load_id DESC LIMIT 6) l"]), capture_output=True, text=True, check=True)
    return int(out.stdout.strip() or 0)


def figures(binary, db, files, work, runs, timed, load_cmd, warm, citus=False):
    """Every figure of the part: returns a dict for `markdown`. `timed(argv)` is the main
    script's: the seconds a command takes, its output dropped; `load_cmd(db, files)` its
    load command; `warm(files)` reads the files into the page cache, before each timed
    \\copy, load and reload (the loader lets the kernel drop what it has read). `citus`:
    on a Citus cluster of this machine."""
    # psql's notices (a schema dropped, and all it held) are not figures.
    os.environ["PGOPTIONS"] = "-c client_min_messages=warning"
    # The export files must be readable by the postgres user for \copy.
    server = CitusCluster(work) if citus else Server(work)
    try:
        f = dict(version=server.version)
        copies, loads, reloads = [], [], []
        # Three rounds, the fastest of each side kept: a first round also warms the new
        # server's caches and makes its write-ahead log's files (\copy 8.9–9.6 s in it, 5.3–5.9 s after).
        for _ in range(3):
            warm(files)
            copies.append(psql_copy(server, files))
            server.psql("DROP SCHEMA IF EXISTS loaded CASCADE")
            server.psql("CHECKPOINT")
            warm(files)
            loads.append(timed(load_cmd(server.url("loaded"), files)))
            server.psql("CHECKPOINT")
            before = wal_bytes(server)
            warm(files)
            reloads.append(timed(load_cmd(server.url("loaded"), files)))
            f["reload_wal_mb"] = (wal_bytes(server) - before) / 1e6
            f["reload_changed"] = changed_rows(server, "loaded")
            print(f"  psql \\copy {copies[-1]:.1f} s, warehouse load {loads[-1]:.1f} s, reload {reloads[-1]:.1f} s "
                  f"({f['reload_wal_mb']:.1f} MB of WAL, {f['reload_changed']} rows changed)", flush=True)
        f["psql_copy"], f["load"], f["reload"] = min(copies), min(loads), min(reloads)
        f["copies"], f["loads"], f["reloads"] = copies, loads, reloads
        server.psql("DROP SCHEMA loaded CASCADE")
        url = server.url("warehouse")
        start = time.perf_counter()
        subprocess.run([binary, "copy", "--db", db, "--to", url], check=True, stderr=subprocess.DEVNULL)
        f["warehouse_copy"] = time.perf_counter() - start
        server.psql("VACUUM ANALYZE")
        names = [line.split(",")[0] for line in subprocess.run(
            [binary, "reports", "--db", db, "--format", "csv"], capture_output=True, text=True, check=True).stdout.splitlines()[1:]]
        rows = []
        for name in names:
            on_file, on_pg = [], []
            for _ in range(runs):
                on_file.append(timed([binary, "report", name, "--db", db, "--format", "csv"]))
                on_pg.append(timed([binary, "report", name, "--db", url, "--format", "csv"]))
            rows.append((name, statistics.median(on_file) * 1000, statistics.median(on_pg) * 1000))
            print(f"  {name}: file {rows[-1][1]:.0f} ms, {'Citus' if citus else 'PostgreSQL'} {rows[-1][2]:.0f} ms", flush=True)
        f["reports"] = rows
        out = os.path.join(work, "dashboard-pg.html")
        page = subprocess.run([binary, "dashboard", "--db", url, "--out", out], capture_output=True, text=True)
        if page.returncode == 0:
            file_times, pg_times = [], []
            for _ in range(runs):
                file_times.append(timed([binary, "dashboard", "--db", db, "--out", out]))
                pg_times.append(timed([binary, "dashboard", "--db", url, "--out", out]))
            f["dashboard"] = (statistics.median(file_times) * 1000, statistics.median(pg_times) * 1000)
        f["database_mb"] = sum(int(subprocess.run(["du", "-sb", os.path.join(node.data, "base")], capture_output=True, text=True).stdout.split()[0])
                               for node in [server] + getattr(server, "workers", [])) / 1e6
        f["store"] = "Citus" if citus else "PostgreSQL"
        return f
    finally:
        server.stop()


def markdown(f, data_mb, db_mb):
    citus = f.get("store") == "Citus"
    store = f.get("store", "PostgreSQL")
    where = ("a throwaway cluster of this machine (a coordinator and two workers on loopback ports, Citus' default "
             "32 shards, PostgreSQL's durable default settings; `Scripts/benchmark --postgresql --citus`): the "
             "warehouse distributed as it is made, `\\copy` into plain tables on the coordinator" if citus else
             "a throwaway server on a Unix socket with PostgreSQL's durable default settings, in the same run "
             "(`Scripts/benchmark --postgresql`)")
    load_target = "" if citus else "; target within 4× `\\copy`"
    reload_target = "" if citus else "; target within 3×"
    report_target = "" if citus else " Target: every report under 1 s."
    on_nodes = " on its nodes" if citus else ""
    lines = [f"## {store}", "",
             f"The data set above ({data_mb:.0f} MB of export files) on {f['version']} of this machine's packages, "
             f"{where}. Three rounds of `\\copy`, load and reload, each with the files read into the page cache just before.", "",
             "| step | time |", "|---|---:|",
             f"| `psql \\copy` of the export files into plain text tables (the floor; fastest of {len(f['copies'])}: "
             f"{', '.join(f'{x:.1f}' for x in f['copies'])} s) | {f['psql_copy']:.1f} s |",
             f"| `warehouse load` of the export files into a new {store} warehouse (fastest of {len(f['loads'])}: "
             f"{', '.join(f'{x:.1f}' for x in f['loads'])} s){load_target} | {f['load']:.1f} s "
             f"({f['load'] / f['psql_copy']:.2f}×) |",
             f"| the same files again, unchanged (fastest of {len(f['reloads'])}: {', '.join(f'{x:.1f}' for x in f['reloads'])} s)"
             f"{reload_target}; it wrote {f['reload_wal_mb']:.1f} MB of write-ahead log"
             f"{on_nodes} and changed {f['reload_changed']} rows | {f['reload']:.1f} s ({f['reload'] / f['psql_copy']:.2f}×) |",
             f"| `warehouse copy` of the loaded warehouse file ({db_mb:.0f} MB) into {store}: every table through COPY, "
             f"one transaction ({f['database_mb']:.0f} MB of database afterwards) | {f['warehouse_copy']:.1f} s |", "",
             "Every report on both stores, run whole through the command line, alternating, median of each "
             f"(process start and, on {store}, the connection included).{report_target}", "",
             f"| report | file | {store} | ratio |", "|---|---:|---:|---:|"]
    for name, on_file, on_pg in f["reports"]:
        lines.append(f"| `{name}` | {on_file:.0f} ms | {on_pg:.0f} ms | {on_pg / on_file:.2f} |")
    if "dashboard" in f:
        d = f["dashboard"]
        lines.append(f"| the dashboard | {d[0]:.0f} ms | {d[1]:.0f} ms | {d[1] / d[0]:.2f} |")
    return "\n".join(lines + [""])


def serve_figures(binary, db, work, seconds, wrk, ingest_script, start_server, connections=16):
    """`warehouse serve --db postgresql://…` over the data set (copied from the warehouse
    file `db` into a throwaway server), driven by wrk as the file's server is: 16
    connections, one record a request. One server, then two on the same database (two wrk
    at once, 8 connections each, one on each server; their rates added, the larger p99),
    each beside its own GET /healthz rate measured the same way in the same run."""
    import threading
    server = Server(work)
    try:
        url = server.url("served")
        subprocess.run([binary, "copy", "--db", db, "--to", url], check=True, stderr=subprocess.DEVNULL)
        server.psql("VACUUM ANALYZE")
        script = ingest_script(url, work)
        f = dict(version=server.version, connections=connections, seconds=seconds)

        def together(bases, path, args_for=None):
            """wrk on each server at once, `args_for(i)` the script's arguments for server i (none: no script)."""
            results = [None] * len(bases)

            def one(i):
                args = args_for(i) if args_for else ()
                results[i] = wrk(bases[i] + path, seconds, connections // len(bases), script if args else None, args)
            threads = [threading.Thread(target=one, args=(i,)) for i in range(len(bases))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return (sum(r[0] for r in results), max(r[1] for r in results), sum(r[2] for r in results),
                    sum(r[3] for r in results), sum(r[4] for r in results))

        for count in (1, 2):
            processes = [start_server(url, work, f"serve-pg-{i}.log") for i in range(count)]
            bases = [base for _, base in processes]
            try:
                print(f"  {count} server{'s' if count > 1 else ''}: GET /healthz…", flush=True)
                f[f"healthz{count}"] = together(bases, "/healthz")
                print(f"    {f[f'healthz{count}'][0]:,.0f} requests/s, p99 {f[f'healthz{count}'][1]:.1f} ms", flush=True)
                print(f"  {count} server{'s' if count > 1 else ''}: one record per request…", flush=True)
                # Each wrk sends IDs of its own (the script's second argument).
                f[f"single{count}"] = together(bases, "/ingest/conversations", lambda i: ["1", str(count * 2 + i)])
                print(f"    {f[f'single{count}'][0]:,.0f} records/s, p99 {f[f'single{count}'][1]:.1f} ms", flush=True)
            finally:
                for process, _ in processes:
                    process.terminate()
                    process.wait(timeout=60)
        return f
    finally:
        server.stop()


def serve_markdown(f, file_figures):
    """The "Live ingest on PostgreSQL" section: one and two servers on PostgreSQL beside the file's server."""
    h, s = file_figures["healthz"], file_figures["single"]
    rows = [("warehouse file, one server", h, s)] + [
        (f"PostgreSQL, {n} server{'s' if n > 1 else ''}", f[f"healthz{n}"], f[f"single{n}"]) for n in (1, 2)]
    lines = ["## Live ingest on PostgreSQL", "",
             f"`warehouse serve --db postgresql://…` over the data set on {f['version']} (a throwaway server of this machine's "
             f"packages on a Unix socket, durable default settings), driven by wrk as in \"Live ingest\": {f['connections']} "
             f"connections for {f['seconds']} s, one conversation record per request; with two servers, two wrk at once with "
             f"half the connections each, one on each server (their rates added, the larger p99). Each line beside the same "
             f"servers' `GET /healthz` in the same run (`Scripts/benchmark --serve --postgresql`).", "",
             "| | `/healthz` requests/s | records/s | p99 latency | records/s ÷ `/healthz` | non-2xx |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, health, single in rows:
        lines.append(f"| {name} | {health[0]:,.0f} | **{single[0]:,.0f}** | {single[1]:.1f} ms | {single[0] / health[0]:.3f} | {single[3]} |")
    lines.append("")
    return "\n".join(lines)
