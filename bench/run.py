"""Time escg against todoman and taskwarrior on the same actions: python bench/run.py.

For each size (default 1,000, 20,000 and 100,000 actions) it generates a store
with bench/generate.py (kept in bench/stores/ for the next run), loads the same
actions into todoman (one VTODO file each, in a venv of its own) and into
taskwarrior (`task import`), and times, as medians of several runs:

* listing the open actions as JSON: `escg actions --format json` (warm index),
  `todo --porcelain list`, `task status:pending export`;
* escg's first run after a fresh clone (no index), agenda render, action add,
  action done, escg check, escg --version against `python -c pass`;
* the peak memory (max RSS) of the listing, the cold run and the check.

It prints a Markdown table with the ratios and the targets of issue 7, and with
--update-docs writes it into docs/performance.md. Benchmarks are not tests:
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
STORES = HERE / "stores"
TODAY = "2026-11-23"
RSS = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); " \
      "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def environment() -> dict[str, str]:
    env = {**os.environ, "ESCG_TODAY": TODAY, "TZ": "Europe/London"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users' Pythons cache bytecode; so does this benchmark
    env.pop("ESCG_STORE", None)
    return env


def timed(command: list[str], runs: int, env: dict[str, str], before=None) -> float:
    """Median wall time in ms of ``runs`` runs (after one untimed warm-up)."""
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    times = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        times.append((time.perf_counter() - started) * 1000)
        if result.returncode not in (0, 9):
            raise SystemExit(f"{' '.join(command)} failed: {result.stderr.decode()[-500:]}")
    return statistics.median(times)


def peak_rss(command: list[str], env: dict[str, str]) -> float:
    """Peak resident memory in MB of one run."""
    out = subprocess.run([sys.executable, "-c", RSS, *command], capture_output=True, text=True, env=env)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def escg_command() -> list[str]:
    return [str(Path(sys.executable).parent / "escg")]


# --- the stores --------------------------------------------------------------


def ensure_store(size: int) -> Path:
    folder = STORES / f"escg-{size}"
    if not (folder / "escg.toml").exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {size} actions ...", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--actions", str(size), "--out", str(folder)], check=True)
    return folder


def load_actions(store: Path) -> list[dict]:
    sys.path.insert(0, str(REPO))
    from escg.store import Store

    os.environ["ESCG_TODAY"] = TODAY
    return [{"id": a.id, "title": a.title, "status": a.status, "due": a.due, "created": a.created,
             "closed": a.closed} for a in Store(store).actions]


def ensure_todoman(size: int, store: Path) -> list[str] | None:
    venv = STORES / ".venv-todoman"
    todo = venv / "bin" / "todo"
    if not todo.exists():
        print("installing todoman into its own venv ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        result = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "todoman"], capture_output=True)
        if result.returncode:
            print("todoman could not be installed; skipping it", file=sys.stderr)
            return None
    folder = STORES / f"todoman-{size}"
    config = folder / "config.py"
    calendar = folder / "lists" / "actions"
    if not config.exists():
        print(f"writing {size} VTODO files for todoman ...", file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)
        calendar.mkdir(parents=True)
        status = {"open": "NEEDS-ACTION", "done": "COMPLETED", "dropped": "CANCELLED"}
        for action in load_actions(store):
            lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//escg bench//EN", "BEGIN:VTODO",
                     f"UID:{action['id']}@bench", f"SUMMARY:{action['id']}: {action['title']}",
                     f"STATUS:{status[action['status']]}", f"DTSTAMP:{action['created']:%Y%m%d}T000000Z"]
            if action["due"]:
                lines.append(f"DUE;VALUE=DATE:{action['due']:%Y%m%d}")
            if action["closed"]:
                lines.append(f"COMPLETED:{action['closed']:%Y%m%d}T000000Z")
            lines += ["END:VTODO", "END:VCALENDAR", ""]
            (calendar / f"{action['id']}.ics").write_text("\r\n".join(lines))
        config.write_text(f'path = "{folder / "lists"}/*"\ndate_format = "%Y-%m-%d"\ntime_format = "%H:%M"\n'
                          f'default_list = "actions"\ncache_path = "{folder / "cache.sqlite3"}"\n')
    return [str(todo), "--config", str(config), "--porcelain", "list"]


def ensure_taskwarrior(size: int, store: Path) -> list[str] | None:
    task = shutil.which("task")
    if task is None:
        print("taskwarrior is not installed (apt-get install taskwarrior); skipping it", file=sys.stderr)
        return None
    folder = STORES / f"task-{size}"
    rc = folder / "taskrc"
    base = [task, f"rc:{rc}", "rc.confirmation=off", "rc.verbose=nothing", "rc.hooks=off", "rc.gc=off"]
    if not (folder / "imported").exists():
        print(f"importing {size} tasks into taskwarrior ...", file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        rc.write_text(f"data.location={folder / 'data'}\n")
        status = {"open": "pending", "done": "completed", "dropped": "deleted"}
        tasks = []
        for action in load_actions(store):
            entry = {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, action["id"])), "description": f"{action['id']}: {action['title']}",
                     "status": status[action["status"]], "entry": f"{action['created']:%Y%m%d}T000000Z"}
            if action["due"]:
                entry["due"] = f"{action['due']:%Y%m%d}T000000Z"
            if action["closed"]:
                entry["end"] = f"{action['closed']:%Y%m%d}T000000Z"
            tasks.append(entry)
        for start in range(0, len(tasks), 10_000):
            chunk = folder / "chunk.json"
            chunk.write_text(json.dumps(tasks[start:start + 10_000]))
            subprocess.run([*base, "import", str(chunk)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        (folder / "imported").write_text("yes\n")
    return [*base, "status:pending", "export"]


# --- the measurements --------------------------------------------------------


def measure(size: int, runs: int) -> dict[str, float | None]:
    env = environment()
    store = ensure_store(size)
    escg = escg_command()
    listing = [*escg, "--store", str(store), "actions", "--format", "json"]
    todo = ensure_todoman(size, store)
    task = ensure_taskwarrior(size, store)
    found: dict[str, float | None] = {}

    found["escg list"] = timed(listing, runs, env)
    found["todoman list"] = timed(todo, runs, env) if todo else None
    found["taskwarrior list"] = timed(task, runs, env) if task else None

    def drop_index():
        for path in store.glob(".escg-index*"):
            path.unlink()

    found["escg cold"] = timed(listing, max(3, runs // 2), env, before=drop_index)
    found["rss cold"] = (drop_index(), peak_rss(listing, env))[1]
    found["rss list"] = peak_rss(listing, env)
    found["agenda render"] = timed([*escg, "--store", str(store), "agenda", "render", "next"], runs, env)

    # Writes: measured, then undone, so the store stays as generated.
    counter = store / ".escg-last-action"
    saved_counter = counter.read_text()
    before = set(store.glob("actions/*/*.toml"))
    found["action add"] = timed([*escg, "--store", str(store), "action", "add", "Benchmark action",
                                 "--owner", "person-0001", "--due", "2026-12-24"], runs, env)
    for path in set(store.glob("actions/*/*.toml")) - before:
        path.unlink()
    counter.write_text(saved_counter)
    open_ids = [a["id"] for a in json.loads(subprocess.run(listing, capture_output=True, text=True, env=env).stdout)]
    originals = {}
    targets = iter(open_ids[: runs + 1])

    def next_done():
        ident = next(targets)
        path = next(store.glob(f"actions/*/{ident}-*.toml"))
        originals[path] = path.read_bytes()
        done_command[-1] = ident

    done_command = [*escg, "--store", str(store), "action", "done", "X"]
    next_done()
    subprocess.run(done_command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # the warm-up
    found["action done"] = statistics.median(_timed_each(done_command, runs, env, next_done))
    for path, data in originals.items():
        path.write_bytes(data)

    check = [*escg, "--store", str(store), "check"]
    found["check"] = timed(check, max(2, runs // 3), env)
    found["rss check"] = peak_rss(check, env)
    found["version"] = timed([*escg, "--version"], runs, env)
    found["python"] = timed([sys.executable, "-c", "pass"], runs, env)
    found["open"] = len(open_ids)
    return found


def _timed_each(command, runs, env, before):
    times = []
    for _ in range(runs):
        before()
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append((time.perf_counter() - started) * 1000)
    return times


def ratio(a, b) -> str:
    return f"{a / b:.2f}×" if a and b else "n/a"


def ms(value) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def table(results: dict[int, dict]) -> str:
    sizes = sorted(results)
    head = "| | " + " | ".join(f"{s:,} actions" for s in sizes) + " |\n|---|" + "---:|" * len(sizes) + "\n"
    rows = [
        ("open actions listed", lambda r: f"{r['open']:,}"),
        ("**escg actions --format json** (warm index)", lambda r: ms(r["escg list"])),
        ("todoman `todo --porcelain list`", lambda r: ms(r["todoman list"])),
        ("taskwarrior `task status:pending export`", lambda r: ms(r["taskwarrior list"])),
        ("escg ÷ todoman", lambda r: ratio(r["escg list"], r["todoman list"])),
        ("escg ÷ taskwarrior", lambda r: ratio(r["escg list"], r["taskwarrior list"])),
        ("escg first run after a fresh clone (no index)", lambda r: ms(r["escg cold"])),
        ("escg agenda render next", lambda r: ms(r["agenda render"])),
        ("escg action add", lambda r: ms(r["action add"])),
        ("escg action done", lambda r: ms(r["action done"])),
        ("escg check", lambda r: ms(r["check"])),
        ("escg --version", lambda r: ms(r["version"])),
        ("python -c pass", lambda r: ms(r["python"])),
        ("escg --version ÷ python", lambda r: ratio(r["version"], r["python"])),
        ("peak memory: listing / cold run / check", lambda r: f"{r['rss list']:.0f} / {r['rss cold']:.0f} / {r['rss check']:.0f} MB"),
    ]
    body = "".join(f"| {label} | " + " | ".join(cell(results[s]) for s in sizes) + " |\n" for label, cell in rows)
    return head + body


def verdicts(results: dict[int, dict]) -> str:
    lines = []

    def say(ok, text):
        lines.append(f"- {'met' if ok else 'NOT met'}: {text}")

    small, large = results.get(1000), results.get(100000)
    if small and small["todoman list"]:
        say(small["escg list"] <= 0.3 * small["todoman list"], f"1,000 actions, at most 0.3× todoman: {ratio(small['escg list'], small['todoman list'])}")
    mid = results.get(20000)
    if mid and mid["taskwarrior list"]:
        say(mid["escg list"] <= mid["taskwarrior list"], f"20,000 actions, no slower than taskwarrior: {ratio(mid['escg list'], mid['taskwarrior list'])}")
    if large and large["taskwarrior list"]:
        say(large["escg list"] <= 0.5 * large["taskwarrior list"], f"100,000 actions, at most 0.5× taskwarrior: {ratio(large['escg list'], large['taskwarrior list'])}")
    any_result = next(iter(results.values()))
    say(any_result["version"] <= 7 * any_result["python"], f"escg --version within 7× python -c pass: {ratio(any_result['version'], any_result['python'])}")
    if small and large:
        for key in ("action add", "action done"):
            say(large[key] <= 1.5 * small[key], f"{key} at 100,000 within 1.5× of 1,000: {ratio(large[key], small[key])}")
        growth = large["rss list"] / small["rss list"]
        say(growth <= 100, f"listing memory grows at most linearly (×{growth:.1f} for ×100 actions)")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,20000,100000", help="comma-separated numbers of actions")
    parser.add_argument("--runs", type=int, default=7, help="timed runs a measurement (median reported)")
    parser.add_argument("--update-docs", action="store_true", help="write the table into docs/performance.md")
    args = parser.parse_args()
    STORES.mkdir(exist_ok=True)
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"measuring {size:,} actions ...", file=sys.stderr)
        results[size] = measure(size, args.runs)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    report = f"Measured {stamp} on {machine}, medians of {args.runs} runs (ESCG_TODAY={TODAY}).\n\n" + table(results) + "\n" + verdicts(results)
    print(report)
    if args.update_docs:
        doc = REPO / "docs" / "performance.md"
        text = doc.read_text()
        start, end = "<!-- bench:start -->", "<!-- bench:end -->"
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        doc.write_text(f"{before}{start}\n{report}{end}{after}")
        print(f"updated {doc}", file=sys.stderr)


if __name__ == "__main__":
    main()
