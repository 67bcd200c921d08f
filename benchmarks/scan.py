"""Benchmark: dindscope's Docker collection against `docker inspect` of the same containers, same run.

Creates N created (never started) busybox containers labelled ``dindscope.test=bench-<id>``, then times:

* ``docker inspect <every container id on the engine>`` (the baseline: the docker CLI, one process);
* ``collect_snapshot`` restricted to the Docker socket, in this process;
* the same in a fresh Python process (interpreter start and imports included);
* ``dindscope --engine ... snapshot -o FILE`` when that command is available.

Each is run ``--repeat`` times; the median is printed with its ratio to the baseline. Then, in the same
run, where the time of ``dindscope snapshot`` goes: interpreter start, imports (fresh process), the
engine's container list alone, the whole collection, redaction and the atomic file write. Containers are
removed afterwards (also on Ctrl-C). Goal: dindscope <= 2x ``docker inspect`` at N = 1000.

    .venv/bin/python benchmarks/scan.py            # N = 100 and 1000
    .venv/bin/python benchmarks/scan.py -n 300 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import docker

from dindscope.collect.base import CollectOptions
from dindscope.collect.docker_api import CONTAINER_LIST_QUERY
from dindscope.collect.scan import collect_snapshot
from dindscope.collect.unix_http import UnixHTTPClient
from dindscope.snapshot.io import save_snapshot
from dindscope.snapshot.redact import redact_snapshot

SOCKET = os.environ.get("DINDSCOPE_TEST_DOCKER_SOCKET", "/run/docker.sock")
URL = f"unix://{SOCKET}"
IMAGE = "local/busybox:1"
LABEL = "dindscope.test"


def create_containers(api: docker.APIClient, n: int, label: str) -> list[str]:
    def one(i: int) -> str:
        return api.create_container(IMAGE, ["sleep", "1000"], labels={LABEL: label, "bench.index": str(i)},
                                    environment={"BENCH_SECRET": uuid.uuid4().hex},
                                    host_config=api.create_host_config(cap_add=["NET_ADMIN"]))["Id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, range(n)))


def remove_containers(api: docker.APIClient, label: str) -> None:
    ids = [c["Id"] for c in api.containers(all=True, filters={"label": f"{LABEL}={label}"})]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda cid: api.remove_container(cid, force=True), ids))


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def docker_inspect(ids: list[str]) -> int:
    done = subprocess.run(["docker", "-H", URL, "inspect", *ids], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise SystemExit(f"docker inspect failed: {done.stderr.decode()[:300]}")
    return len(ids)


def scan_in_process(workers: int) -> int:
    snapshot = collect_snapshot(CollectOptions(workers=workers), endpoints=[URL])
    if snapshot.problems:
        raise SystemExit(f"scan problems: {[str(p) for p in snapshot.problems]}")
    return len(snapshot.containers)


def scan_subprocess(workers: int) -> int:
    code = ("from dindscope.collect.scan import collect_snapshot; from dindscope.collect.base import CollectOptions;"
            f"s = collect_snapshot(CollectOptions(workers={workers}), endpoints=[{URL!r}]); print(len(s.containers))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"subprocess scan failed: {done.stderr[-300:]}")
    return int(done.stdout.strip())


def cli_snapshot_works() -> str | None:
    """None when `dindscope snapshot -o` runs; else why not."""
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-m", "dindscope", "--engine", URL, "snapshot", "-o",
                               f"{tmp}/s.json"], capture_output=True, text=True)
        if done.returncode == 0 and os.path.exists(f"{tmp}/s.json"):
            return None
        return (done.stderr.strip().splitlines() or ["no output"])[-1][:200]


def cli_snapshot() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "dindscope", "--engine", URL, "snapshot", "-o", f"{tmp}/s.json"],
                       check=True, capture_output=True)
    return 0


SNAPSHOT_MODULES = ("dindscope.cli", "dindscope.cli.common", "dindscope.cli.snapshot_cmd", "dindscope.collect.scan",
                    "dindscope.snapshot.io", "dindscope.snapshot.redact")


def interpreter_start() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def snapshot_imports() -> float:
    """Seconds to import what ``dindscope snapshot`` needs, measured inside a fresh interpreter."""
    code = ("import importlib, time; t = time.perf_counter(); "
            f"[importlib.import_module(m) for m in {SNAPSHOT_MODULES!r}]; print(time.perf_counter() - t)")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(done.stdout.strip())


def list_containers() -> float:
    with UnixHTTPClient(SOCKET, 60) as client:
        start = time.perf_counter()
        client.get_json(f"/containers/json?{CONTAINER_LIST_QUERY}")
        return time.perf_counter() - start


def stages(workers: int, repeat: int) -> list[tuple[str, float]]:
    """Median seconds of each step of `dindscope snapshot -o FILE`, each measured on its own."""
    times: dict[str, list[float]] = {}

    def note(name: str, seconds: float) -> None:
        times.setdefault(name, []).append(seconds)

    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            note("python interpreter start (bare)", interpreter_start())
            note("imports for 'dindscope snapshot' (fresh process)", snapshot_imports())
            note("  engine: GET /containers/json alone", list_containers())
            start = time.perf_counter()
            snapshot = collect_snapshot(CollectOptions(workers=workers), endpoints=[URL])
            note("collect_snapshot (list + inspects + host facts)", time.perf_counter() - start)
            start = time.perf_counter()
            redact_snapshot(snapshot, in_place=True)
            note("redact (in place, as the CLI does)", time.perf_counter() - start)
            start = time.perf_counter()
            save_snapshot(snapshot, f"{tmp}/s.json", redact=False)
            note("write (encode, format, fsync, rename)", time.perf_counter() - start)
    return [(name, statistics.median(values)) for name, values in times.items()]


def bench(api: docker.APIClient, n: int, repeat: int, workers: int, with_cli: bool) -> None:
    label = f"bench-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    print(f"\n== N = {n}: creating {n} containers (label {LABEL}={label}) ...", flush=True)
    start = time.perf_counter()
    try:
        create_containers(api, n, label)
        print(f"   created in {time.perf_counter() - start:.1f}s", flush=True)
        all_ids = [c["Id"] for c in api.containers(all=True)]
        print(f"   engine holds {len(all_ids)} containers in total; every timing below covers all of them")
        scan_in_process(workers)  # warm up: imports, page cache, dockerd caches
        docker_inspect(all_ids)
        base, _ = timed(lambda: docker_inspect(all_ids), repeat)
        rows = [("docker inspect (baseline)", base, len(all_ids))]
        t, count = timed(lambda: scan_in_process(workers), repeat)
        rows.append((f"collect_snapshot, in process ({workers} workers)", t, count))
        t, count = timed(lambda: scan_subprocess(workers), repeat)
        rows.append(("collect_snapshot, fresh python process", t, count))
        if with_cli:
            t, _ = timed(cli_snapshot, repeat)
            rows.append(("dindscope snapshot -o FILE", t, len(all_ids)))
        for name, seconds, count in rows:
            print(f"   {name:<46} {seconds:7.3f}s  {count:5} containers  {seconds / base:5.2f}x baseline")
        print("   where 'dindscope snapshot' spends its time (medians, same run):")
        total = 0.0
        for name, seconds in stages(workers, repeat):
            if not name.startswith(" "):
                total += seconds
            print(f"     {name:<50} {seconds:7.3f}s")
        print(f"     {'sum of the steps above':<50} {total:7.3f}s")
    finally:
        start = time.perf_counter()
        remove_containers(api, label)
        print(f"   removed in {time.perf_counter() - start:.1f}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, action="append", help="containers to create (repeatable; default 100, 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is shown")
    parser.add_argument("--workers", type=int, default=CollectOptions().workers, help="inspect concurrency")
    args = parser.parse_args()
    api = docker.APIClient(base_url=URL, timeout=120, max_pool_size=16)
    api.ping()
    why_not = cli_snapshot_works()
    if why_not:
        print(f"(dindscope snapshot CLI not timed: {why_not})")
    print(f"docker {api.version()['Version']} at {URL}; {os.cpu_count()} CPUs; median of {args.repeat} runs; "
          f"load average {os.getloadavg()[0]:.2f}")
    if sys.flags.dont_write_bytecode:
        print("(PYTHONDONTWRITEBYTECODE is set: fresh processes compile dindscope's sources on every start, "
              "which an installed package does not)")
    for n in args.n or [100, 1000]:
        bench(api, n, args.repeat, args.workers, with_cli=why_not is None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
