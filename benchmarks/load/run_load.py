"""The HTTP load test in one command: PostgreSQL with the demo county scaled up, ``zhengwu serve`` with
several workers in production settings, Locust headless against it; per page requests/s, p50/p95/p99 and
failures beside the bare view (``GET /livez``), each page alone and then the mix.

Run:
    .venv/bin/python benchmarks/load/run_load.py [--workers 2] [--users 50] [--cases 50000] [--items 3000]

The first run creates the database (``pc_load`` by default), migrates, builds the demo county
(``zhengwu demo --no-serve``, a few minutes) and copies it up (``scale.py``); later runs migrate and reuse it
(``--rebuild`` starts again). The server listens on 127.0.0.1 only and is stopped at the end, also on error.
Locust runs in its own process (gevent); it and the server share this machine's cores, which the output
says with the CPU each took and the load average.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
PG = "postgres://postgres@127.0.0.1:5432"
# The target: these pages alone at >= 60 % of the bare view's requests/s, p95 under 200 ms.
TARGET_PAGES = ("progress", "catalog_search")
TARGET_RATIO, TARGET_P95_MS = 0.60, 200.0
ALL_PAGES = ("livez", "catalog_search", "guide", "progress", "progress_api", "hall_board", "gk_index", "gk_body",
             "gk_publication", "workbench")
# Pages kept in the shared page cache for anonymous visitors (zhengwu.core.pagecache): each is run twice, a
# first pass that renders most of its URLs for the first time, then the same again with them kept, as on a
# portal that has been up for a while. The verdict reads the second pass.
CACHED_PAGES = ("catalog_search", "guide", "progress", "progress_api")
FIRST_PASS = " (1st pass)"


def log(msg: str) -> None:
    print(msg, flush=True)


# -- the database ------------------------------------------------------------------------------------------


def _pg_exec(sql: str, dbname: str = "postgres", fetch: bool = False):
    import psycopg

    with psycopg.connect(f"{PG}/{dbname}", autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if fetch else None


def prepare_database(env: dict, args) -> None:
    name = args.db
    if not name.startswith("pc_"):
        raise SystemExit("--db must start with pc_ (this benchmark's own databases)")
    exists = bool(_pg_exec(f"SELECT 1 FROM pg_database WHERE datname = '{name}'", fetch=True))
    if exists and args.rebuild:
        log(f"dropping database {name}")
        _pg_exec(f'DROP DATABASE "{name}" WITH (FORCE)')
        exists = False
    if not exists:
        _pg_exec(f'CREATE DATABASE "{name}"')
    built = False
    if exists:
        rows = _pg_exec("SELECT to_regclass('org_hall') IS NOT NULL AND EXISTS (SELECT 1 FROM org_hall)",
                        dbname=name, fetch=True)
        built = bool(rows and rows[0][0])
    zhengwu = str(VENV_BIN / "zhengwu")
    if built:
        log(f"database {name}: demo county already built; migrating")
        subprocess.run([zhengwu, "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)
    else:
        log(f"database {name}: migrating and building the demo county (zhengwu demo --no-serve, a few minutes)")
        t0 = time.perf_counter()
        subprocess.run([zhengwu, "demo", "--no-serve", "--no-jobs"], env=env, check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        log(f"  demo county built in {time.perf_counter() - t0:.0f}s")
    log(f"scaling up to +{args.cases} cases and +{args.items} catalog items (set-based copies)")
    subprocess.run([sys.executable, "-m", "benchmarks.load.scale", "--cases", str(args.cases), "--items",
                    str(args.items), "--out", str(args.fixtures)], env=env, check=True, cwd=ROOT)
    subprocess.run([zhengwu, "collectstatic", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)


# -- the server --------------------------------------------------------------------------------------------


def start_server(env: dict, args, log_path: Path) -> subprocess.Popen:
    cmd = [str(VENV_BIN / "zhengwu"), "serve", "--host", "127.0.0.1", "--port", str(args.port),
           "--workers", str(args.workers)]
    log(f"starting: {' '.join(cmd[1:])} (log {log_path})")
    fh = open(log_path, "w")  # noqa: SIM115 — stays open for the server's life
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 90
    url = f"http://127.0.0.1:{args.port}/livez"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return proc
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server did not answer {url} within 90 s:\n{log_path.read_text()[-3000:]}")


def stop_server(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the uvicorn supervisor and its workers (a session of their own)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def _tree_cpu(pid: int) -> float:
    """User+system CPU seconds of a process and its live children."""
    try:
        p = psutil.Process(pid)
        procs = [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for q in procs:
        try:
            t = q.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


# -- Locust --------------------------------------------------------------------------------------------------


def run_locust(*, page: str, seconds: int, args, env: dict, server: subprocess.Popen, outdir: Path) -> dict:
    """One headless Locust run (its own process); the stats rows by name, the CPU split and the load."""
    prefix = outdir / (page or "mix")
    cmd = [str(VENV_BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(args.users),
           "-r", str(args.spawn_rate), "-t", f"{seconds}s", "-H", f"http://127.0.0.1:{args.port}",
           "--csv", str(prefix), "--reset-stats", "--only-summary", "--loglevel", "WARNING",
           "--stop-timeout", "5"]
    lenv = {**env, "LOAD_FIXTURES": str(args.fixtures), "LOAD_PAGE": page, "LOAD_WAIT": str(args.wait)}
    cpu_server0, t0 = _tree_cpu(server.pid), time.monotonic()
    proc = subprocess.Popen(cmd, env=lenv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    locust_cpu = 0.0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            locust_cpu = sum(ps.cpu_times()[:2])
        except psutil.NoSuchProcess:
            break
        time.sleep(0.5)
    output = proc.stdout.read() if proc.stdout else ""
    wall = time.monotonic() - t0
    cpu_server = _tree_cpu(server.pid) - cpu_server0
    load1 = os.getloadavg()[0]
    rows = {}
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"locust wrote no stats ({proc.returncode}):\n{output[-3000:]}")
    with stats.open(newline="") as fh:
        for row in csv.DictReader(fh):
            rows[row["Name"]] = row
    warned = "CPU usage above" in output or "CPU usage was too high" in output
    return {"rows": rows, "wall": wall, "cpu_server": cpu_server, "cpu_locust": locust_cpu, "load1": load1,
            "locust_cpu_warning": warned, "rc": proc.returncode}


def _f(row: dict, key: str) -> float:
    try:
        return float(row.get(key) or 0)
    except ValueError:
        return 0.0


def page_figures(row: dict) -> dict:
    return {"rps": _f(row, "Requests/s"), "p50": _f(row, "50%"), "p95": _f(row, "95%"), "p99": _f(row, "99%"),
            "n": int(_f(row, "Request Count")), "fail": int(_f(row, "Failure Count"))}


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths,
             strict=True))) for r in [headers, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report(alone: dict, mix: dict | None, args) -> dict:
    out: dict = {"settings": {"workers": args.workers, "users": args.users, "cores": os.cpu_count(),
                              "wait": args.wait}}
    base = alone.get("livez")
    base_rps = page_figures(base["rows"]["livez"])["rps"] if base and "livez" in base["rows"] else 0.0
    log("")
    log(f"== each page alone: {args.users} users, {args.page_seconds}s after ramp-up, {args.workers} workers, "
        f"think time {args.wait}s ==")
    rows = []

    def cpu_ms(res: dict, page: str) -> float:
        """Server CPU per answered request (the whole run, ramp-up included): steadier than req/s when other
        work on the machine takes cores away."""
        n = page_figures(res["rows"].get(page, {}))["n"]
        return res["cpu_server"] * 1000 / n if n else 0.0

    base_ms = cpu_ms(base, "livez") if base else 0.0
    for page, res in alone.items():
        name = page.removesuffix(FIRST_PASS)  # Locust's name for the page
        fig = page_figures(res["rows"].get(name, {}))
        ratio = fig["rps"] / base_rps if base_rps else 0.0
        ms = cpu_ms(res, name)
        cpu_ratio = base_ms / ms if ms else 0.0
        rows.append([page, f"{fig['rps']:.0f}", f"{fig['p50']:.0f}", f"{fig['p95']:.0f}", f"{fig['p99']:.0f}",
                     f"{fig['fail']}/{fig['n']}", f"{ratio:.2f}", f"{ms:.1f}", f"{cpu_ratio:.2f}",
                     f"{res['cpu_server']:.0f}/{res['cpu_locust']:.0f}",
                     f"{res['load1']:.2f}" + (" !" if res["locust_cpu_warning"] else "")])
        out.setdefault("alone", {})[page] = {**fig, "ratio": round(ratio, 3), "server_cpu_ms_per_request": round(ms, 2),
                                             "cpu_ratio": round(cpu_ratio, 3),
                                             "cpu_server_s": round(res["cpu_server"], 1),
                                             "cpu_locust_s": round(res["cpu_locust"], 1), "load1": res["load1"]}
    log(table(["page", "req/s", "p50 ms", "p95 ms", "p99 ms", "failed", "vs livez", "srv CPU ms/req",
               "CPU vs livez", "CPU s srv/locust", "load1"], rows))
    if mix:
        log("")
        log(f"== the mix: {args.users} users ({args.mix_seconds}s after ramp-up) ==")
        mrows = []
        mbase = page_figures(mix["rows"].get("livez", {}))
        total = page_figures(mix["rows"].get("Aggregated", {}))
        for name, row in sorted(mix["rows"].items(), key=lambda kv: -_f(kv[1], "Requests/s")):
            if name == "Aggregated":
                continue
            fig = page_figures(row)
            mrows.append([name, f"{fig['rps']:.1f}", f"{fig['rps'] / max(total['rps'], 1e-9):.0%}", f"{fig['p50']:.0f}",
                          f"{fig['p95']:.0f}", f"{fig['p99']:.0f}", f"{fig['fail']}/{fig['n']}"])
            out.setdefault("mix", {})[name] = fig
        mrows.append(["(all)", f"{total['rps']:.1f}", "100%", f"{total['p50']:.0f}", f"{total['p95']:.0f}",
                      f"{total['p99']:.0f}", f"{total['fail']}/{total['n']}"])
        log(table(["page", "req/s", "share", "p50 ms", "p95 ms", "p99 ms", "failed"], mrows))
        log(f"mix: server {mix['cpu_server']:.0f} CPU-s, Locust {mix['cpu_locust']:.0f} CPU-s in {mix['wall']:.0f}s "
            f"wall; load1 {mix['load1']:.2f}; livez in the mix p95 {mbase['p95']:.0f} ms")
        out["mix_total"] = total
    log("")
    log(f"Load generator and server share this machine's {os.cpu_count()} cores (and with whatever else runs: see "
        "load1). 'CPU s srv/locust' is how they split it; 'srv CPU ms/req' and 'CPU vs livez' (livez's CPU per "
        "request over the page's) depend far less on how many cores the server got. '!' = Locust saturated its CPU.")
    log(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    log("")
    log(f"== targets: alone, >= {TARGET_RATIO:.0%} of livez req/s and p95 < {TARGET_P95_MS:.0f} ms at {args.users} users ==")
    verdicts = {}
    for page in TARGET_PAGES:
        if page not in alone or not base_rps:
            log(f"{page}: not measured")
            continue
        fig = page_figures(alone[page]["rows"].get(page, {}))
        ratio = fig["rps"] / base_rps
        ok = ratio >= TARGET_RATIO and fig["p95"] < TARGET_P95_MS and fig["fail"] == 0
        verdicts[page] = ok
        log(f"{page}: {fig['rps']:.0f} req/s = {ratio:.0%} of livez {base_rps:.0f} req/s, p95 {fig['p95']:.0f} ms, "
            f"{fig['fail']} failed -> {'MET' if ok else 'NOT MET'}")
    out["targets"] = verdicts
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="pc_load", help="PostgreSQL database (prefix pc_)")
    ap.add_argument("--rebuild", action="store_true", help="drop the database and build it again")
    ap.add_argument("--skip-setup", action="store_true", help="use the database and fixtures as they are")
    ap.add_argument("--cases", type=int, default=50_000)
    ap.add_argument("--items", type=int, default=3_000)
    ap.add_argument("--port", type=int, default=8700)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--spawn-rate", type=int, default=25)
    ap.add_argument("--wait", type=float, default=0.0, help="think time per user, seconds (0: closed loop)")
    ap.add_argument("--page-seconds", type=int, default=30, help="length of each page-alone run")
    ap.add_argument("--mix-seconds", type=int, default=60, help="length of the mix run")
    ap.add_argument("--pages", default=",".join(ALL_PAGES), help="pages to measure alone (livez is always first)")
    ap.add_argument("--no-mix", action="store_true")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    ap.add_argument("--out", default="", help="directory for Locust's CSV files and summary.json")
    args = ap.parse_args(argv)

    outdir = Path(args.out or tempfile.mkdtemp(prefix="zhengwu-load-"))
    outdir.mkdir(parents=True, exist_ok=True)
    var_dir = Path(tempfile.gettempdir()) / f"zhengwu-load-{args.db}"
    var_dir.mkdir(exist_ok=True)
    args.fixtures = var_dir / "fixtures.json"
    # One secret per database: the staff sessions scale.py made stay valid for later runs (and profile_pages).
    secret_file = var_dir / "secret_key"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(40))
    env = {**os.environ,
           "DATABASE_URL": f"{PG}/{args.db}", "ZHENGWU_VAR_DIR": str(var_dir), "REDIS_URL": args.redis_url,
           "ZHENGWU_ENV": "production", "DEBUG": "0", "SECRET_KEY": secret_file.read_text().strip(),
           "ALLOWED_HOSTS": "127.0.0.1,localhost",
           # plain HTTP on loopback: no TLS terminator in front, so cookies may not be Secure-only
           "SECURE_COOKIES": "0", "LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_REPLICA_URLS", None)
    if not args.skip_setup or not args.fixtures.exists():
        prepare_database(env, args)

    pages = [p for p in args.pages.split(",") if p and p != "livez"]
    unknown = set(pages) - set(ALL_PAGES)
    if unknown:
        raise SystemExit(f"unknown pages: {', '.join(sorted(unknown))}")
    server = None
    alone: dict = {}
    mix = None
    try:
        server = start_server(env, args, outdir / "server.log")
        log(f"warming up (10 s of the mix); load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        (outdir / "warmup").mkdir(exist_ok=True)
        run_locust(page="", seconds=10, args=args, env=env, server=server, outdir=outdir / "warmup")
        for page in ["livez", *pages]:
            if page in CACHED_PAGES:
                log(f"  {page} alone, {args.page_seconds}s, first pass (page cache filling) …")
                alone[page + FIRST_PASS] = run_locust(page=page, seconds=args.page_seconds, args=args, env=env,
                                                      server=server, outdir=outdir)
            log(f"  {page} alone, {args.page_seconds}s …")
            alone[page] = run_locust(page=page, seconds=args.page_seconds, args=args, env=env, server=server,
                                     outdir=outdir)
        if not args.no_mix:
            log(f"  the mix, {args.mix_seconds}s …")
            mix = run_locust(page="", seconds=args.mix_seconds, args=args, env=env, server=server, outdir=outdir)
    finally:
        stop_server(server)
    summary = report(alone, mix, args)  # a failed run raised before here, after the server was stopped
    (outdir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    log(f"CSV files and summary.json in {outdir}")
    return 0  # a benchmark reports; the verdict is printed, not an exit status


if __name__ == "__main__":
    sys.exit(main())
