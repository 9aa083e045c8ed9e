"""Serve the app with gunicorn and measure the API against the floor of the same server.

    .venv/bin/python bench/run.py [--duration 10] [--workers 2] [--database-url postgres://...]

Seeds a dedicated database (bench/seed.py), starts `gunicorn lawfirm.wsgi` with production-like
settings on a free loopback port, waits for /healthz, then loads each endpoint in turn for a fixed
time after a warm-up: /healthz (constant JSON, no database: the floor), /api/v1/users/me/ and
/api/v1/users/?limit=50 (Bearer token). Prints a table and writes bench/results/latest.json.
gunicorn is always stopped, whatever happens.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
sys.path.insert(0, str(BENCH_DIR))

from seed import ENDPOINTS, bench_environ  # noqa: E402

FLOOR = ENDPOINTS[0]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_seed(env: dict[str, str], members: int) -> dict:
    process = subprocess.run(
        [sys.executable, str(BENCH_DIR / "seed.py"), "--members", str(members)],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if process.returncode != 0:
        sys.stderr.write(process.stdout + process.stderr)
        raise SystemExit(f"seeding failed (exit {process.returncode})")
    return json.loads(process.stdout.strip().splitlines()[-1])


def gunicorn_command(port: int, workers: int) -> list[str]:
    executable = Path(sys.executable).with_name("gunicorn")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "gunicorn"]
    return command + [
        "lawfirm.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
        "--chdir",
        str(BASE_DIR),
    ]


def wait_ready(process: subprocess.Popen, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} before answering")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", FLOOR)
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {FLOOR} within {timeout:.0f} s")


def stop(process: subprocess.Popen, timeout: float = 30.0) -> None:
    """SIGTERM is gunicorn's graceful stop; SIGKILL only if it does not finish in time."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# CPU accounting (Linux /proc): the server's CPU time per request hardly depends on what else the
# machine runs, where requests per second do. Elsewhere these answer None and the column stays empty.


def _process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def server_cpu_seconds(master_pid: int) -> float | None:
    """CPU time of the gunicorn master and its workers so far."""
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        return sum(_process_cpu_seconds(pid) for pid in [master_pid, *map(int, children)])
    except (OSError, ValueError, IndexError):
        return None


def database_cpu_seconds() -> float | None:
    """CPU time of the local PostgreSQL server's processes (None when there is none to see)."""
    total, seen = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            if text.split("(", 1)[1].split(")", 1)[0] == "postgres":
                total += _process_cpu_seconds(int(stat.parent.name))
                seen = True
        except (OSError, ValueError, IndexError):
            continue
    return total if seen else None


def machine_busy_seconds() -> float | None:
    """CPU seconds all processes of the machine have used since boot (idle and iowait excluded)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:8]]
    except (OSError, ValueError):
        return None
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """This script and its finished children (wrk): the load generator's CPU."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def measured(load, master_pid: int, with_database: bool, *args) -> dict:
    """One measurement, with the server's CPU per request and the share of the machine that other
    processes took meanwhile (a noisy neighbour lowers requests per second, not CPU per request)."""
    server_before, busy_before, own_before = server_cpu_seconds(master_pid), machine_busy_seconds(), own_cpu_seconds()
    db_before = database_cpu_seconds() if with_database else None
    started = time.monotonic()
    result = load(*args)
    elapsed = time.monotonic() - started
    server_after, busy_after, own_after = server_cpu_seconds(master_pid), machine_busy_seconds(), own_cpu_seconds()
    db_after = database_cpu_seconds() if with_database else None
    server = server_after - server_before if server_before is not None and server_after is not None else None
    # PostgreSQL's processes work for the requests: counted apart, not as other load.
    database = db_after - db_before if db_before is not None and db_after is not None else 0.0
    requests = result["requests"]
    result["server_cpu_ms_per_request"] = server * 1000 / requests if server and requests else None
    result["database_cpu_ms_per_request"] = database * 1000 / requests if with_database and requests else None
    result["load_generator_cpu_pct"] = 100 * (own_after - own_before) / (elapsed * (os.cpu_count() or 1))
    result["others_cpu_pct"] = (
        max(
            0.0,
            100
            * (busy_after - busy_before - server - database - (own_after - own_before))
            / (elapsed * (os.cpu_count() or 1)),
        )
        if server is not None and busy_before is not None and busy_after is not None
        else None
    )
    return result


# Load generators. Both report the same dict.


def load_wrk(url: str, headers: dict[str, str], duration: float, connections: int) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "10s"]
    command += ["-s", str(BENCH_DIR / "wrk_report.lua")]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    socket_errors = sum(data["socket_errors"].values())
    seconds = data["duration_us"] / 1e6
    return {
        "requests": data["requests"],
        "seconds": seconds,
        "rps": data["requests"] / seconds,
        "p50_ms": data["latency_us"]["p50"] / 1000,
        "p99_ms": data["latency_us"]["p99"] / 1000,
        "errors": data["non200"] + socket_errors,
        "non200": data["statuses"],
        "socket_errors": data["socket_errors"],
    }


def load_python(
    url: str, headers: dict[str, str], duration: float, connections: int, max_requests: int = 1_000_000
) -> dict:
    """Fixed concurrency: `connections` threads, each with one keep-alive connection (reopened
    when the server closes it, as gunicorn's sync workers do), until the time or the count runs out."""
    host_port, path = url.removeprefix("http://").split("/", 1)
    host, port = host_port.split(":")
    path = "/" + path
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    socket_errors = 0
    issued = 0
    deadline = time.perf_counter() + duration

    def worker() -> None:
        nonlocal socket_errors, issued
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        mine: list[float] = []
        my_statuses: dict[int, int] = {}
        my_errors = 0
        while time.perf_counter() < deadline:
            with lock:
                if issued >= max_requests:
                    break
                issued += 1
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                mine.append(time.perf_counter() - start)
                my_statuses[response.status] = my_statuses.get(response.status, 0) + 1
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                my_errors += 1
                connection.close()
        connection.close()
        with lock:
            latencies.extend(mine)
            for status, count in my_statuses.items():
                statuses[status] = statuses.get(status, 0) + count
            socket_errors += my_errors

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies.sort()

    def percentile(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    non200 = {str(status): count for status, count in statuses.items() if status != 200}
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "p50_ms": percentile(50),
        "p99_ms": percentile(99),
        "errors": sum(non200.values()) + socket_errors,
        "non200": non200,
        "socket_errors": {"total": socket_errors},
    }


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def _number(value: float | None, width: int, digits: int) -> str:
    return f"{value:>{width}.{digits}f}" if value is not None else f"{'-':>{width}}"


def table(rows: list[dict]) -> str:
    header = (
        f"{'endpoint':<24} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'vs healthz':>10} "
        f"{'SQL':>3} {'CPU ms/req':>10} {'CPU vs healthz':>14} {'DB CPU ms/req':>13} {'others %':>8}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row['endpoint']:<24} {row['rps']:>8.1f} {row['p50_ms']:>7.2f} {row['p99_ms']:>7.2f} "
            f"{row['errors']:>6d} {row['ratio']:>10.2f} {row['queries']:>3} "
            f"{_number(row['server_cpu_ms_per_request'], 10, 3)} {_number(row['cpu_ratio'], 14, 2)} "
            f"{_number(row['database_cpu_ms_per_request'], 13, 3)} "
            f"{_number(row['others_cpu_pct'], 8, 0)}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per endpoint (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--connections", type=int, default=0, help="concurrent connections (default 4 per worker)")
    parser.add_argument("--members", type=int, default=120, help="people in the firm (default 120)")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL; default: SQLite in a temporary folder")
    parser.add_argument("--load", choices=["auto", "wrk", "python"], default="auto", help="load generator")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.json")
    args = parser.parse_args(argv)
    connections = args.connections or 4 * args.workers
    tool = args.load if args.load != "auto" else ("wrk" if shutil.which("wrk") else "python")
    load = load_wrk if tool == "wrk" else load_python

    work_dir = Path(tempfile.mkdtemp(prefix="lawfirm-bench-"))
    database_url = args.database_url or f"sqlite:///{work_dir / 'bench.sqlite3'}"
    env = {**os.environ, **bench_environ(database_url, work_dir, secrets.token_urlsafe(50))}
    env["PYTHONWARNINGS"] = "ignore:No directory at"  # no collectstatic here; the API serves no static file

    print(f"Seeding {args.members} people into {database_url} ...", flush=True)
    seeded = run_seed(env, args.members)
    headers = {"Authorization": f"Bearer {seeded['token']}"}
    for path, probe in seeded["queries"].items():
        if probe["status"] != 200:
            raise SystemExit(f"{path} answers {probe['status']} in-process; not benchmarking")

    port = free_port()
    log_path = work_dir / "gunicorn.log"
    rows = []
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            gunicorn_command(port, args.workers), env=env, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_ready(process, port)
            print(
                f"gunicorn (pid {process.pid}, {args.workers} sync workers) on 127.0.0.1:{port}; load: {tool}, "
                f"{connections} connections, {args.warmup:g} s warm-up + {args.duration:g} s per endpoint",
                flush=True,
            )
            for path in ENDPOINTS:
                url = f"http://127.0.0.1:{port}{path}"
                if args.warmup > 0:
                    load(url, headers, args.warmup, connections)
                result = measured(
                    load, process.pid, seeded["database"] == "postgresql", url, headers, args.duration, connections
                )
                probe = seeded["queries"][path]
                rows.append({"endpoint": path, **result, "queries": probe["queries"], "writes": probe["writes"]})
                print(f"  {path}: {result['rps']:.1f} req/s, {result['errors']} errors", flush=True)
        except BaseException:
            log.flush()
            sys.stderr.write(log_path.read_text()[-4000:])
            raise
        finally:
            stop(process)

    floor, floor_cpu = rows[0]["rps"] or 1.0, rows[0]["server_cpu_ms_per_request"]
    for row in rows:
        row["ratio"] = row["rps"] / floor
        cpu = row["server_cpu_ms_per_request"]
        row["cpu_ratio"] = floor_cpu / cpu if floor_cpu and cpu else None
    print()
    print(table(rows))
    errors = sum(row["errors"] for row in rows)
    if errors:
        print(f"\n{errors} responses were not 200: " + "; ".join(f"{r['endpoint']} {r['non200']}" for r in rows))
    noisy = [r for r in rows if (r["others_cpu_pct"] or 0) > 10]
    if noisy:
        print(
            "\nOther processes took CPU during "
            + ", ".join(f"{r['endpoint']} ({r['others_cpu_pct']:.0f}%)" for r in noisy)
            + ": requests/s there are understated; CPU ms/req is the steadier comparison."
        )
    print("\nSQL per request (in-process probe, steady state):")
    for path, probe in seeded["queries"].items():
        print(f"  {path}: {probe['queries']} queries, {probe['writes']} writes")

    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": seeded["database"],
        "database_url": _without_password(database_url),
        "members": seeded["members"],
        "workers": args.workers,
        "worker_class": "sync",
        "connections": connections,
        "load_generator": tool,
        "warmup_s": args.warmup,
        "duration_s": args.duration,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "floor": FLOOR,
        "results": rows,
        "sql": {path: probe["sql"] for path, probe in seeded["queries"].items()},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWritten to {args.output}")
    shutil.rmtree(work_dir, ignore_errors=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
