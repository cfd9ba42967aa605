"""Time escg's commands at 1,000, 20,000 and 100,000 actions, against taskwarrior and todoman: python bench/run.py.

For the example store (a copy of agendas/) and each size (--sizes; stores made
once by bench/generate.py and kept in bench/stores/, which git ignores) it
times, with ESCG_TODAY=2026-11-23, TZ=Europe/London and bytecode caching on
(as users have it):

* the floor, `python -c pass`, and `escg --version`, `escg --help`;
* every common read command, output read through a pipe;
* `check` (incremental) and `check --full` (if escg has it);
* the cold build: the first read after deleting <store>/.escg-index*;
* writes: action add, action update, action done / reopen pairs, minutes note
  and attend on a meeting whose minutes may still change; undone afterwards,
  so the store stays as generated;
* taskwarrior `task status:pending export` and todoman `todo --porcelain
  list`, loaded with the same actions (from `escg actions --all --format json`).

Every group of commands runs interleaved (A B C A B C ..., one untimed warm-up
each first), so a busy moment on a shared machine hits all of them alike;
medians of --runs runs are reported. Then the targets of issue 10 are
evaluated (met / NOT met) and, with --update-docs, the report is written into
docs/performance.md. Benchmarks are not tests: nothing here asserts a time.
It imports nothing of escg: it drives the installed `escg` command only.
"""

from __future__ import annotations

import argparse
import hashlib
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
EXAMPLE = REPO / "agendas"
TODAY = "2026-11-23"  # bench/generate.py's "today"
COLD_RUNS = 3
ERRORS: list[str] = []


def environment() -> dict[str, str]:
    env = {**os.environ, "ESCG_TODAY": TODAY, "TZ": "Europe/London"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users' Pythons cache bytecode; so does this benchmark
    for name in ("ESCG_STORE", "ESCG_NO_INDEX", "ESCG_CROSSCHECK", "ESCG_LOCK_TIMEOUT"):
        env.pop(name, None)
    return env


ENV = environment()
ESCG = [str(Path(sys.executable).parent / "escg")]


def run(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, env=ENV)


# --- timing ------------------------------------------------------------------


class Measure:
    """One command to time; ``before`` runs untimed ahead of every run (warm-up included)."""

    def __init__(self, key: str, command: list[str], before=None):
        self.key, self.command, self.before = key, command, before
        self.times: list[float] = []
        self.failed: str | None = None

    def once(self) -> float | None:
        if self.failed:
            return None
        if self.before:
            self.before()
        started = time.perf_counter()
        process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
        _, err = process.communicate()  # read the output through a pipe, as `escg ... | less` does
        took = (time.perf_counter() - started) * 1000
        if process.returncode != 0:
            self.failed = f"`{' '.join(shown(self.command))}` exited {process.returncode}: {err.decode().strip()[-400:]}"
            ERRORS.append(self.failed)
            return None
        return took

    def median(self) -> float | None:
        return statistics.median(self.times) if self.times and not self.failed else None


def interleaved(measures: list[Measure], runs: int) -> dict[str, float | None]:
    """Warm each up once, then run them in turn ``runs`` times; the median of each."""
    for m in measures:
        m.once()
    for _ in range(runs):
        for m in measures:
            took = m.once()
            if took is not None:
                m.times.append(took)
    return {m.key: m.median() for m in measures}


def peak_rss(command: list[str], before=None) -> float | None:
    """Peak resident memory in MB of one run."""
    if before:
        before()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024 if process.returncode == 0 else None


def shown(command: list[str]) -> list[str]:
    """A command as printed: paths of this repository made relative."""
    return [c.replace(str(REPO) + "/", "") for c in command]


# --- the stores --------------------------------------------------------------


def generator_stamp() -> str:
    return hashlib.sha1((HERE / "generate.py").read_bytes()).hexdigest()[:12]


def ensure_store(size: int) -> Path:
    folder = STORES / f"escg-{size}"
    stamp = STORES / f"escg-{size}.stamp"
    if not (folder / "escg.toml").exists() or not stamp.exists() or stamp.read_text().strip() != generator_stamp():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {size:,} actions ...", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--actions", str(size), "--out", str(folder)], check=True)
        stamp.write_text(generator_stamp() + "\n")
    return folder


def example_store() -> Path:
    """A fresh copy of the example store in agendas/ (writes and index deletions never touch the repository's)."""
    folder = STORES / "example"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns(".escg-index*", ".escg.lock"))
    return folder


def all_actions(store: Path) -> list[dict]:
    result = run([*ESCG, "--store", str(store), "actions", "--all", "--format", "json"])
    if result.returncode:
        raise SystemExit(f"escg actions --all failed on {store}: {result.stderr.strip()}")
    return json.loads(result.stdout)


def rival_stamp(store: Path) -> str:
    stamp = STORES / f"{store.name}.stamp"
    return stamp.read_text().strip() if stamp.exists() else "example"


def ensure_todoman(size: int, store: Path, actions: list[dict]) -> list[str] | None:
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
    stamp = folder / "stamp"
    if not config.exists() or not stamp.exists() or stamp.read_text() != rival_stamp(store):
        print(f"writing {size:,} VTODO files for todoman ...", file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)
        calendar.mkdir(parents=True)
        status = {"open": "NEEDS-ACTION", "done": "COMPLETED", "dropped": "CANCELLED"}
        for action in actions:
            lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//escg bench//EN", "BEGIN:VTODO",
                     f"UID:{action['id']}@bench", f"SUMMARY:{action['id']}: {action['title']}",
                     f"STATUS:{status[action['status']]}", f"DTSTAMP:{action['created'].replace('-', '')}T000000Z"]
            if action["due"]:
                lines.append(f"DUE;VALUE=DATE:{action['due'].replace('-', '')}")
            if action["closed"]:
                lines.append(f"COMPLETED:{action['closed'].replace('-', '')}T000000Z")
            lines += ["END:VTODO", "END:VCALENDAR", ""]
            (calendar / f"{action['id']}.ics").write_text("\r\n".join(lines))
        config.write_text(f'path = "{folder / "lists"}/*"\ndate_format = "%Y-%m-%d"\ntime_format = "%H:%M"\n'
                          f'default_list = "actions"\ncache_path = "{folder / "cache.sqlite3"}"\n')
        stamp.write_text(rival_stamp(store))
    return [str(todo), "--config", str(config), "--porcelain", "list"]


def ensure_taskwarrior(size: int, store: Path, actions: list[dict]) -> list[str] | None:
    task = shutil.which("task")
    if task is None:
        print("taskwarrior is not installed (apt-get install taskwarrior); skipping it", file=sys.stderr)
        return None
    folder = STORES / f"task-{size}"
    rc = folder / "taskrc"
    base = [task, f"rc:{rc}", "rc.confirmation=off", "rc.verbose=nothing", "rc.hooks=off", "rc.gc=off"]
    stamp = folder / "imported"
    if not stamp.exists() or stamp.read_text() != rival_stamp(store):
        print(f"importing {size:,} tasks into taskwarrior ...", file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        rc.write_text(f"data.location={folder / 'data'}\n")
        status = {"open": "pending", "done": "completed", "dropped": "deleted"}
        tasks = []
        for action in actions:
            entry = {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, action["id"])), "description": f"{action['id']}: {action['title']}",
                     "status": status[action["status"]], "entry": f"{action['created'].replace('-', '')}T000000Z"}
            if action["due"]:
                entry["due"] = f"{action['due'].replace('-', '')}T000000Z"
            if action["closed"]:
                entry["end"] = f"{action['closed'].replace('-', '')}T000000Z"
            tasks.append(entry)
        for start in range(0, len(tasks), 10_000):
            chunk = folder / "chunk.json"
            chunk.write_text(json.dumps(tasks[start:start + 10_000]))
            subprocess.run([*base, "import", str(chunk)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stamp.write_text(rival_stamp(store))
    return [*base, "status:pending", "export"]


# --- what is measured --------------------------------------------------------

# key, label: in the order of the table.
READS = [
    ("actions", "escg actions (table)"),
    ("actions md", "escg actions --format md"),
    ("actions json", "**escg actions --format json**"),
    ("actions csv", "escg actions --format csv"),
    ("overdue", "escg actions --overdue"),
    ("owner", "escg actions --owner P"),
    ("meeting list", "escg meeting list"),
    ("agenda list", "escg agenda list next"),
    ("agenda md", "escg agenda render next"),
    ("agenda html", "escg agenda render next --format html"),
    ("minutes render", "escg minutes render last"),
    ("decisions", "escg decisions"),
    ("action show", "escg action show A-…"),
    ("remind", "escg remind --dry-run"),
    ("ics", "escg ics"),
    ("check", "escg check (incremental)"),
    ("check full", "escg check --full"),
]
WRITES = [
    ("add", "escg action add"),
    ("update", "escg action update A-… NOTE"),
    ("done", "escg action done A-…"),
    ("reopen", "escg action reopen A-…"),
    ("note", "escg minutes note M 5 TEXT"),
    ("attend apologies", "escg attend M --apologies P"),
    ("attend present", "escg attend M --present P"),
]
BASICS = [("python", "python -c pass (the floor)"), ("version", "escg --version"), ("help", "escg --help")]
RIVALS = [("taskwarrior", "taskwarrior `task status:pending export`"), ("todoman", "todoman `todo --porcelain list`")]
LABELS = dict(BASICS + READS + WRITES + RIVALS + [("cold", "escg first read without an index (cold build)")])


def has_full_check() -> bool:
    return "--full" in run([*ESCG, "check", "--help"]).stdout


def writable_meeting(escg: list[str]) -> tuple[str | None, str | None]:
    """The latest past meeting whose minutes may still change, and a person to move between present and apologies."""
    meetings = json.loads(run([*escg, "meeting", "list", "--past", "--format", "json"]).stdout)
    for meeting in reversed(meetings):
        if meeting["status"] in ("held", "minutes-draft"):
            shown_ = json.loads(run([*escg, "meeting", "show", meeting["id"], "--format", "json"]).stdout)
            record = shown_.get("attendance") or {}
            stand_ins = set((record.get("substitutes") or {}).values())
            chair = shown_.get("chair")
            people = [p for p in record.get("present", []) if p != chair and p not in stand_ins]
            return meeting["id"], (people[-1] if people else None)
    return None, None


class Undo:
    """Keeps the bytes of the files a write changes, and puts them back afterwards."""

    def __init__(self, store: Path):
        self.store = store
        self.saved: dict[Path, bytes] = {}
        self.counter = store / ".escg-last-action"
        self.counter_text = self.counter.read_text() if self.counter.exists() else None
        self.actions_before = set(store.glob("actions/*/A-*.toml"))

    def keep(self, path: Path | None) -> None:
        if path is not None and path not in self.saved:
            self.saved[path] = path.read_bytes()

    def restore(self) -> None:
        for path in set(self.store.glob("actions/*/A-*.toml")) - self.actions_before:
            path.unlink()
        for path, data in self.saved.items():
            temporary = path.with_name(f".{path.name}.bench")
            temporary.write_bytes(data)
            os.replace(temporary, path)  # as an editor or git would
        if self.counter_text is None:
            self.counter.unlink(missing_ok=True)
        else:
            self.counter.write_text(self.counter_text)


def measure(name: str, store: Path, runs: int, rivals: bool) -> dict:
    escg = [*ESCG, "--store", str(store)]
    actions = all_actions(store)  # also builds the index, untimed
    open_actions = sorted((a for a in actions if a["status"] == "open"), key=lambda a: (a["due"] or "9999", a["id"]))
    owners: dict[str, int] = {}
    for a in open_actions:
        owners[a["owner"]] = owners.get(a["owner"], 0) + 1
    owner = max(owners, key=lambda o: (owners[o], o)) if owners else actions[0]["owner"]
    shown_action = open_actions[len(open_actions) // 2]["id"]
    updated, toggled = open_actions[-1]["id"], open_actions[-2]["id"]
    meeting, person = writable_meeting(escg)
    found: dict = {"n actions": len(actions), "n open": len(open_actions),
                   "n meetings": len(json.loads(run([*escg, "meeting", "list", "--format", "json"]).stdout)),
                   "owner": owner, "meeting": meeting}

    def drop_index():
        for path in store.glob(".escg-index*"):
            path.unlink()

    listing = [*escg, "actions", "--format", "json"]
    # 1. The cold build, a few runs, the index deleted before each.
    print(f"  {name}: cold build x{COLD_RUNS} ...", file=sys.stderr)
    cold = Measure("cold", listing, before=drop_index)
    found.update(interleaved([cold], COLD_RUNS))
    found["rss cold"] = peak_rss(listing, before=drop_index)
    run(listing)  # rebuild the index before the warm runs

    # 2. Everything warm, interleaved: the floor, reads, the rivals, writes and the incremental check.
    files = {a["id"]: next(store.glob(f"actions/*/{a['id']}-*.toml"), None) for a in (open_actions[-1], open_actions[-2])}
    meeting_file = next(store.glob(f"meetings/*/{meeting}.toml"), None) if meeting else None
    undo = Undo(store)
    undo.keep(files[updated])
    undo.keep(files[toggled])
    undo.keep(meeting_file)
    measures = [
        Measure("python", [sys.executable, "-c", "pass"]),
        Measure("version", [*ESCG, "--version"]),
        Measure("help", [*ESCG, "--help"]),
        Measure("actions", [*escg, "actions"]),
        Measure("actions md", [*escg, "actions", "--format", "md"]),
        Measure("actions json", listing),
        Measure("actions csv", [*escg, "actions", "--format", "csv"]),
        Measure("overdue", [*escg, "actions", "--overdue"]),
        Measure("owner", [*escg, "actions", "--owner", owner]),
        Measure("meeting list", [*escg, "meeting", "list"]),
        Measure("agenda list", [*escg, "agenda", "list", "next"]),
        Measure("agenda md", [*escg, "agenda", "render", "next"]),
        Measure("agenda html", [*escg, "agenda", "render", "next", "--format", "html"]),
        Measure("minutes render", [*escg, "minutes", "render", "last"]),
        Measure("decisions", [*escg, "decisions"]),
        Measure("action show", [*escg, "action", "show", shown_action]),
        Measure("remind", [*escg, "remind", "--dry-run"]),
        Measure("ics", [*escg, "ics"]),
        Measure("add", [*escg, "action", "add", "Benchmark action: circulate the winter plan", "--owner", owner,
                        "--due", "2026-12-24"]),
        Measure("update", [*escg, "action", "update", updated, "Benchmark progress note"]),
        Measure("done", [*escg, "action", "done", toggled]),
        Measure("reopen", [*escg, "action", "reopen", toggled]),
        Measure("check", [*escg, "check"]),
    ]
    if meeting:
        measures.append(Measure("note", [*escg, "minutes", "note", meeting, "5", "Benchmark note on the discussion."]))
        if person:
            measures.append(Measure("attend apologies", [*escg, "attend", meeting, "--apologies", person]))
            measures.append(Measure("attend present", [*escg, "attend", meeting, "--present", person]))
    else:
        ERRORS.append(f"{name}: no past meeting whose minutes may change; minutes note and attend not timed")
    if rivals:
        task = ensure_taskwarrior(found["n actions"], store, actions) if name != "example" else None
        todo = ensure_todoman(found["n actions"], store, actions) if name != "example" else None
        measures += [Measure("taskwarrior", task)] if task else []
        measures += [Measure("todoman", todo)] if todo else []
    print(f"  {name}: {len(measures)} commands x{runs}, interleaved ...", file=sys.stderr)
    try:
        found.update(interleaved(measures, runs))
    finally:
        undo.restore()
    found["rss list"] = peak_rss(listing)

    # 3. The full check, which reads every file again: fewer runs.
    if has_full_check():
        full = [*escg, "check", "--full"]
        print(f"  {name}: check --full ...", file=sys.stderr)
        found.update(interleaved([Measure("check full", full)], max(2, runs // 3)))
        found["rss check"] = peak_rss(full)
    final = run([*escg, "check"])
    if final.returncode:
        ERRORS.append(f"{name}: `escg check` after the benchmark: {(final.stdout + final.stderr).strip()[-600:]}")
    return found


# --- the report --------------------------------------------------------------


def ms(value) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def ratio(a, b) -> str:
    return f"{a / b:.2f}×" if a and b else "n/a"


def table(results: dict[str, dict]) -> str:
    names = list(results)
    sizes = [n for n in names if n != "example"]
    growth = len(sizes) >= 2
    head = "| | " + " | ".join("example store" if n == "example" else f"{int(n):,} actions" for n in names)
    head += f" | {int(sizes[-1]):,} ÷ {int(sizes[0]):,} |" if growth else " |"
    head += "\n|---|" + "---:|" * (len(names) + growth) + "\n"
    rows = [("actions / open / meetings", lambda r: f"{r['n actions']:,} / {r['n open']:,} / {r['n meetings']:,}", None)]

    def timing(key):
        def cell(r):
            value = r.get(key)
            if value is None or key == "python":
                return ms(value)
            return f"{ms(value)} ({value / r['python']:.1f}×)" if r.get("python") else ms(value)
        return cell

    for key, label in BASICS + READS + WRITES + RIVALS + [("cold", LABELS["cold"])]:
        if any(results[n].get(key) is not None for n in names):
            rows.append((label, timing(key), key))
    rows.append(("escg JSON listing ÷ taskwarrior", lambda r: ratio(r.get("actions json"), r.get("taskwarrior")), None))
    rows.append(("escg JSON listing ÷ todoman", lambda r: ratio(r.get("actions json"), r.get("todoman")), None))
    rows.append(("peak memory: listing / cold / check --full",
                 lambda r: " / ".join(f"{r[k]:.0f}" if r.get(k) else "n/a" for k in ("rss list", "rss cold", "rss check")) + " MB",
                 None))
    body = ""
    for label, cell, key in rows:
        line = f"| {label} | " + " | ".join(cell(results[n]) for n in names)
        if growth:
            line += " | " + (ratio(results[sizes[-1]].get(key), results[sizes[0]].get(key)) if key else "")
        body += line + " |\n"
    return head + body + "\nTimes in parentheses are multiples of `python -c pass` in the same run.\n"


def verdicts(results: dict[str, dict]) -> str:
    lines = []

    def say(ok, text):
        if ok is None:
            lines.append(f"- not measured: {text}")
        else:
            lines.append(f"- {'met' if ok else 'NOT met'}: {text}")

    reads = [k for k, _ in READS]
    example = results.get("example")
    if example:
        floor = example.get("python")
        for key in reads + ["version"]:
            value = example.get(key)
            say(None if value is None or not floor else value <= 5 * floor,
                f"example store, {LABELS[key]} within 5× python -c pass: {ratio(value, floor)}")
        say(None if example.get("help") is None else example["help"] <= 8 * floor,
            f"example store, escg --help within 8× python -c pass: {ratio(example.get('help'), floor)}")
    for size, limit in (("1000", 2.0), ("20000", 0.5), ("100000", 0.3)):
        r = results.get(size)
        if r is None:
            say(None, f"{int(size):,} actions, open-action JSON listing at most {limit}× taskwarrior")
            continue
        value, task = r.get("actions json"), r.get("taskwarrior")
        say(None if not value or not task else value <= limit * task,
            f"{int(size):,} actions, open-action JSON listing at most {limit}× taskwarrior: {ratio(value, task)}")
    sizes = sorted(int(n) for n in results if n != "example")
    if len(sizes) >= 2:
        small, large = results[str(sizes[0])], results[str(sizes[-1])]
        span = f"{sizes[0]:,}→{sizes[-1]:,}"
        note = "" if (sizes[0], sizes[-1]) == (1000, 100000) else " (the targets are for 1,000→100,000)"
        for key in reads + [k for k, _ in WRITES]:
            if key == "check full":
                continue  # reads every file by design: no target
            limit = 2.0 if key == "check" else 3.0 if key in ("remind", "ics") else \
                1.3 if key in dict(WRITES) else 1.5
            a, b = small.get(key), large.get(key)
            say(None if not a or not b else b <= limit * a,
                f"growth {span}{note}, {LABELS[key]} within {limit}× of its own time: {ratio(b, a)}")
    big = results.get("100000")
    say(None if not big or big.get("cold") is None else big["cold"] <= 10_000,
        f"cold build at 100,000 actions within 10 s: {ms(big.get('cold')) if big else 'n/a'}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,20000,100000", help="comma-separated numbers of actions")
    parser.add_argument("--runs", type=int, default=7, help="timed runs a measurement (median reported; default 7)")
    parser.add_argument("--no-example", action="store_true", help="leave out the example store")
    parser.add_argument("--no-rivals", action="store_true", help="leave out taskwarrior and todoman")
    parser.add_argument("--update-docs", action="store_true", help="write the report into docs/performance.md")
    args = parser.parse_args()
    STORES.mkdir(exist_ok=True)
    started = time.perf_counter()
    results: dict[str, dict] = {}
    if not args.no_example:
        print("measuring the example store ...", file=sys.stderr)
        results["example"] = measure("example", example_store(), args.runs, rivals=False)
    for size in sorted(int(s) for s in args.sizes.split(",") if s.strip()):
        store = ensure_store(size)
        print(f"measuring {size:,} actions ...", file=sys.stderr)
        results[str(size)] = measure(f"{size:,}", store, args.runs, rivals=not args.no_rivals)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    version = run([*ESCG, "--version"]).stdout.strip()
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {version}"
    report = (f"Measured {stamp} on {machine}: medians of {args.runs} interleaved runs "
              f"({COLD_RUNS} for the cold build), ESCG_TODAY={TODAY}, TZ=Europe/London, "
              f"`python bench/run.py --sizes {','.join(n for n in results if n != 'example')} --runs {args.runs}`.\n\n"
              + table(results) + "\n" + verdicts(results))
    if ERRORS:
        report += "\nFailures:\n\n" + "".join(f"- {e}\n" for e in ERRORS)
    print(report)
    print(f"took {time.perf_counter() - started:.0f}s", file=sys.stderr)
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
