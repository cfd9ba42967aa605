"""`escg publish`: the public website of the example store.

The site must link within itself (every relative link names a file it holds), be the
same bytes from the same store, rewrite only what changed, remove what is no longer
published, carry feeds that parse, be searchable with Pagefind, and pass axe-core
(WCAG 2.2 AA) with no horizontal scrolling at 320 px in a real Chromium.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import os
import posixpath
import shutil
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from typer.testing import CliRunner

import escg.integrations.publish
from conftest import REPO, TODAY, app
from escg.integrations.publish import MANIFEST, publish
from escg.store import Store

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
PAGEFIND = importlib.util.find_spec("pagefind") is not None
AXE = REPO / "tests" / "vendor" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def example(tmp_path, monkeypatch) -> Path:
    """A copy of the example store (without its index), today frozen."""
    store = tmp_path / "store"
    shutil.copytree(REPO / "agendas", store, ignore=shutil.ignore_patterns(".escg-index*", ".escg.lock"))
    monkeypatch.setenv("ESCG_STORE", str(store))
    monkeypatch.setenv("ESCG_TODAY", TODAY)
    return store


def escg_publish(*argv: str):
    result = CliRunner().invoke(app, ["publish", *argv])
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result


def site_files(out: Path) -> dict[str, bytes]:
    """Every file escg wrote in ``out`` (Pagefind's folder left out), by path."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.relative_to(out).as_posix().startswith("pagefind/")}


def pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")
                  if not p.relative_to(out).as_posix().startswith("pagefind/"))


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                self.links.append(attrs[name])


def parsed(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text("utf-8"))
    return parser


@pytest.fixture
def site(example, tmp_path) -> Path:
    out = tmp_path / "site"
    result = escg_publish("--out", str(out), *([] if PAGEFIND else ["--no-search"]))
    assert "wrote" in result.stderr and "0 unchanged" in result.stderr
    return out


def test_the_site_holds_every_page(site):
    names = set(site_files(site))
    for name in ("index.html", "meetings.html", "decisions.html", "forward-plan.html", "actions.html", "search.html",
                 "site.css", "calendar.ics", "feed.atom", MANIFEST,
                 "meetings/2026-12-03/index.html", "meetings/2026-12-03/agenda.html",
                 "meetings/2026-07-16/minutes.html", "files/papers/2026-12-03-exclusions-deep-dive.md"):
        assert name in names, name
    # draft minutes (2026-10-01) are not published by default; its agenda is
    assert "meetings/2026-10-01/minutes.html" not in names
    assert "meetings/2026-10-01/agenda.html" in names
    # the manifest lists exactly what escg wrote
    listed = json.loads((site / MANIFEST).read_text())["files"]
    assert sorted(listed) == sorted(names - {MANIFEST})
    index = (site / "index.html").read_text()
    assert "Essex Strategic Coordination Group" in index and 'lang="en-GB"' in index
    assert "Thursday 3 December 2026" in index  # the next meeting is upcoming


def test_every_relative_link_resolves(site):
    for page in pages(site):
        for href in parsed(site / page).links:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue
            assert not href.startswith("/"), f"{page}: {href} is not relative"
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path))) if parts.path else page
            assert not target.startswith(".."), f"{page}: {href} leaves the site"
            assert (site / target).is_file(), f"{page}: {href} names no file"
            if parts.fragment and target.endswith(".html"):
                assert parts.fragment in parsed(site / target).ids, f"{page}: {href} names no element"


def test_the_same_store_gives_the_same_bytes(example, site, tmp_path):
    first = site_files(site)
    again = publish(Store(example), site, search=False)
    assert again.written == [] and again.removed == [] and len(again.unchanged) == len(first) - 1
    assert site_files(site) == first
    elsewhere = tmp_path / "elsewhere"
    publish(Store(example), elsewhere, search=False)
    assert site_files(elsewhere) == first
    result = escg_publish("--out", str(site), "--no-search")
    assert f"wrote 0 pages, {len(first) - 1} unchanged" in result.stderr


def test_only_what_changed_is_rewritten(example, site):
    path = example / "meetings" / "2026" / "2026-12-03.toml"
    path.write_text(path.read_text().replace("Committee Room 1, County Hall", "Committee Room 2, County Hall", 1))
    done = publish(Store(example), site, search=False)
    written = set(done.written)
    assert {"meetings/2026-12-03/index.html", "meetings/2026-12-03/agenda.html", "calendar.ics"} <= written
    assert written <= {"meetings/2026-12-03/index.html", "meetings/2026-12-03/agenda.html", "index.html",
                       "meetings.html", "calendar.ics", "feed.atom"}
    assert "Committee Room 2" in (site / "meetings/2026-12-03/agenda.html").read_text()


def test_a_stores_own_site_stylesheet_is_the_sites(example, site):
    """templates/site/site.css replaces the bundled one, as templates/print.css does for PDFs;
    one that links out of the store is refused, as that one is."""
    from escg.core.errors import InputError

    assert b"a store's own" not in (site / "site.css").read_bytes()
    (example / "templates" / "site").mkdir(parents=True)
    (example / "templates" / "site" / "site.css").write_text("/* a store's own */\nbody { color: #222; }\n")
    done = publish(Store(example), site, search=False)
    assert "site.css" in done.written
    assert (site / "site.css").read_text() == "/* a store's own */\nbody { color: #222; }\n"
    outside = example.parent / "outside.css"
    outside.write_text("body { background: url(https://tracker.example.net/x.png); }\n")
    (example / "templates" / "site" / "site.css").unlink()
    (example / "templates" / "site" / "site.css").symlink_to(outside)
    with pytest.raises(InputError, match="stylesheet templates/site/site.css"):
        publish(Store(example), site, search=False)


def test_pages_no_longer_published_are_removed(example, tmp_path):
    out = tmp_path / "site"
    with_drafts = publish(Store(example), out, drafts=True, search=False)
    assert "meetings/2026-10-01/minutes.html" in with_drafts.written
    (out / "notes.txt").write_text("not escg's")
    (out / MANIFEST).write_text(json.dumps({"files": ["../outside.txt", "/etc/passwd", "notes.txt"]
                                            + json.loads((out / MANIFEST).read_text())["files"]}))
    (tmp_path / "outside.txt").write_text("keep me")
    again = publish(Store(example), out, drafts=False, search=False)
    assert "meetings/2026-10-01/minutes.html" in again.removed
    assert not (out / "meetings/2026-10-01/minutes.html").exists()
    assert (tmp_path / "outside.txt").read_text() == "keep me"  # a path out of the folder is never removed
    assert "notes.txt" not in json.loads((out / MANIFEST).read_text())["files"]


def test_papers_outside_the_store_are_not_copied(example, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("not for the web")
    (example / "papers" / "2026-12-03-exclusions-deep-dive.md").unlink()
    (example / "papers" / "2026-12-03-exclusions-deep-dive.md").symlink_to(secret)
    done = publish(Store(example), tmp_path / "site", search=False)
    assert any("exclusions-deep-dive.md" in w and "outside the store" in w for w in done.warnings)
    assert not (tmp_path / "site" / "files/papers/2026-12-03-exclusions-deep-dive.md").exists()
    assert not any(b"not for the web" in data for data in site_files(tmp_path / "site").values())


def test_every_document_is_the_public_form(example, tmp_path, monkeypatch):
    try:
        from escg.workflows.confidential import public as real
    except ImportError:
        real = None
    if real is not None:
        assert escg.integrations.publish._public is real
    kinds = []

    def hide(kind, context):
        kinds.append(kind)
        if kind in ("agenda", "minutes"):
            return {**context, "items": [{**item, "title": "Withheld"} for item in context["items"]]}
        return context

    monkeypatch.setattr(escg.integrations.publish, "_public", hide)
    out = tmp_path / "site"
    publish(Store(example), out, search=False)
    assert {"agenda", "minutes", "actions"} <= set(kinds)
    text = "\n".join(data.decode("utf-8", "replace") for name, data in site_files(out).items()
                     if name.endswith((".html", ".ics", ".atom")))
    assert "school exclusions" not in text.lower()  # an item's title, on the agenda of 3 December


def test_the_feeds_parse(site):
    from icalendar import Calendar

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(site / "feed.atom").getroot()
    entries = feed.findall(f"{atom}entry")
    assert entries and len({e.find(f"{atom}id").text for e in entries}) == len(entries)
    for entry in entries:
        href = entry.find(f"{atom}link").get("href")
        assert (site / href).is_file()
        assert entry.find(f"{atom}updated").text.endswith("Z")
    assert feed.find(f"{atom}updated").text == max(e.find(f"{atom}updated").text for e in entries)
    calendar = Calendar.from_ical((site / "calendar.ics").read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == len(list((Path(site).parent / "store" / "meetings").rglob("*.toml")))
    for event in events:
        assert event["dtstamp"].dt == event["last-modified"].dt  # from the store, not now


def test_without_pagefind_the_site_is_written_and_search_left_out(example, tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pagefind" else real(name, *a))
    done = publish(Store(example), tmp_path / "site")
    assert (tmp_path / "site" / "index.html").is_file() and not done.searchable
    assert any("search is left out" in w for w in done.warnings)


# --- in a real browser -------------------------------------------------------------


@pytest.fixture
def served(site, tmp_path):
    """A copy of the site, served on loopback (Pagefind fetches its index, which file:// forbids)."""
    copy = tmp_path / "served"
    shutil.copytree(site, copy)
    shutil.copy(AXE, copy / "axe.min.js")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.startswith("/__hold"):  # see HOLD
                time.sleep(0.1)
                self.send_response(204)
                self.end_headers()
                return
            super().do_GET()

    handler = functools.partial(Quiet, directory=str(copy))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield copy, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def dump(url: str, profile: Path, width: int = 1280, budget: int = 5000) -> str:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         f"--user-data-dir={profile}", f"--window-size={width},800", f"--virtual-time-budget={budget}",
         "--dump-dom", url],
        capture_output=True, text=True, timeout=180).stdout


def dump_result(url: str, profile: Path, width: int = 1280) -> dict:
    """What the injected script wrote into the page, given more time when a loaded machine
    ran out of Chromium's virtual time before it did."""
    for attempt, budget in enumerate((5000, 20000, 60000)):
        dom = dump(url, Path(f"{profile}-{attempt}"), width=width, budget=budget)
        if 'id="test-result"' in dom:
            break
    return result_of(dom)


def result_of(dom: str) -> dict:
    class Result(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside, self.text = False, ""

        def handle_starttag(self, tag, attrs):
            self.inside = self.inside or dict(attrs).get("id") == "test-result"

        def handle_endtag(self, tag):
            if tag == "pre":
                self.inside = False

        def handle_data(self, data):
            if self.inside:
                self.text += data

    parser = Result()
    parser.feed(dom)
    assert parser.text, f"the page wrote no result:\n{dom[-2000:]}"
    return json.loads(parser.text)


AXE_RUN = """
window.addEventListener("load", function () {
  setTimeout(function () {
    var fits = document.documentElement.scrollWidth <= window.innerWidth;
    var widths = [document.documentElement.scrollWidth, window.innerWidth];
    axe.run(document, {runOnly: %s}).then(function (r) {
      var pre = document.createElement("pre");
      pre.id = "test-result";
      pre.textContent = JSON.stringify({fits: fits, widths: widths, violations: r.violations.map(function (v) {
        return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) { return n.target.join(" "); })};
      })});
      document.body.appendChild(pre);
    });
  }, 300);
});
""" % json.dumps(WCAG)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (installed by .ci/run)")
def test_every_page_passes_axe_and_fits_320px(served, tmp_path):
    copy, base = served
    names = pages(copy)
    for name in names:
        page = copy / name
        root = "../" * name.count("/")
        page.write_text(page.read_text("utf-8").replace(
            "</body>", f'<script src="{root}axe.min.js"></script><script>{AXE_RUN}</script></body>'), "utf-8")

    def check(numbered):
        number, name = numbered
        return name, dump_result(f"{base}/{name}", tmp_path / f"profile-{number}", width=320)

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        results = dict(pool.map(check, enumerate(names)))
    problems = [f"{name}: {v['id']} ({v['help']}) at {v['nodes']}" for name, r in results.items() for v in r["violations"]]
    problems += [f"{name}: scrolls sideways at 320 px ({r['widths']})" for name, r in results.items() if not r["fits"]]
    assert not problems, "\n".join(problems)


# Chromium's virtual time runs on while the page waits for work done in real time (Pagefind
# compiling its WebAssembly on a loaded machine), and the DOM is dumped when the budget is
# spent, result or not; but it stands still while a fetch is pending. So until the result is
# written the page keeps one request open, which the server holds for a tenth of a second.
HOLD = """
var holding = true;
(async function () {
  while (holding) {
    try { await fetch("/__hold", {cache: "no-store"}); } catch (error) { return; }
  }
})();
"""

SEARCH = HOLD + """
window.addEventListener("load", async function () {
  var pre = document.createElement("pre");
  pre.id = "test-result";
  try {
    var pagefind = await import("./pagefind/pagefind.js");
    var found = await pagefind.search("exclusions");
    var first = found.results.length ? await found.results[0].data() : null;
    pre.textContent = JSON.stringify({count: found.results.length, first: first && first.url});
  } catch (error) {
    pre.textContent = JSON.stringify({error: String(error)});
  }
  document.body.appendChild(pre);
  holding = false;
});
"""


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (installed by .ci/run)")
@pytest.mark.skipif(not PAGEFIND, reason="needs Pagefind (pip install 'escg[publish]')")
def test_search_finds_a_document(served, tmp_path):
    copy, base = served
    assert (copy / "pagefind" / "pagefind.js").is_file() and (copy / "pagefind" / "pagefind-ui.js").is_file()
    page = copy / "search.html"
    page.write_text(page.read_text("utf-8").replace("</body>", f"<script>{SEARCH}</script></body>"), "utf-8")
    # Pagefind loads its index and WebAssembly over HTTP, in real time, while Chromium's virtual
    # time runs on: on a loaded machine the budget can end first, so it is given more, thrice.
    for attempt, budget in enumerate((30000, 60000, 120000)):
        dom = dump(f"{base}/search.html", tmp_path / f"profile-{attempt}", budget=budget)
        if 'id="test-result"' in dom:
            break
    found = result_of(dom)
    assert "error" not in found, found
    assert found["count"] >= 1
    assert "2026-12-03" in found["first"]


def _leaks(folder: Path, markers: list[str]) -> list[str]:
    """Every file under ``folder`` (Pagefind's gzipped index unpacked) that holds a marker."""
    import gzip

    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        text = data.decode("utf-8", errors="replace").lower()
        found += [f"{path.relative_to(folder)}: {m}" for m in markers if m.lower() in text]
    return found


@pytest.mark.skipif(importlib.util.find_spec("pagefind") is None, reason="needs pagefind")
def test_no_confidential_marker_reaches_the_site_or_its_search_index(run, example, tmp_path):
    markers = ["ZZLEAKTITLE", "ZZLEAKPAPER", "ZZLEAKNOTE", "ZZLEAKDECISION", "ZZLEAKDECLARE", "ZZLEAKACTION"]
    (example / "papers/ZZLEAKPAPER.md").write_text("secret\n")
    run(["agenda", "edit", "6", "-m", "2026-12-03", "--title", "ZZLEAKTITLE item", "--add-paper", "papers/ZZLEAKPAPER.md"])
    run(["minutes", "note", "2026-10-01", "6", "ZZLEAKNOTE in the minutes"])
    run(["minutes", "decide", "2026-10-01", "6", "ZZLEAKDECISION taken in private"])
    run(["minutes", "declare", "2026-10-01", "6", "mark-thornton", "ZZLEAKDECLARE an interest"])
    run(["minutes", "action", "2026-10-01", "6", "ZZLEAKACTION to take", "--owner", "mark-thornton"])
    site = tmp_path / "site"
    run(f"publish --out {site} --drafts")  # while the items are public: published and indexed
    assert _leaks(site, markers)
    # then both items are made confidential, and the site published again over the old one
    run(["agenda", "edit", "6", "-m", "2026-12-03", "--confidential", "3"])
    meeting = example / "meetings/2026/2026-10-01.toml"
    title = 'title = "Serious violence duty: strategy refresh and year 3 funding"\n'
    meeting.write_text(meeting.read_text().replace(title, title + 'confidential = "Paragraph 3"\n', 1))
    assert "the store is clean" in run("check").stderr
    run(f"publish --out {site} --drafts")
    run(f"publish --out {tmp_path / 'fresh'} --drafts")
    for folder in (site, tmp_path / "fresh"):
        assert (folder / "pagefind").is_dir()
        assert _leaks(folder, markers) == []  # pages, papers, feeds, calendar and the search index
    # the members still have it all
    assert "ZZLEAKNOTE" in run("minutes render 2026-10-01").stdout


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (installed by .ci/run)")
def test_every_html_document_passes_axe_and_fits_320px(run, example, tmp_path):
    """The documents themselves, as members get them (`--format html`), public and members' forms."""
    run(["agenda", "edit", "6", "-m", "2026-12-03", "--confidential", "3"])
    folder = tmp_path / "documents"
    folder.mkdir()
    shutil.copy(AXE, folder / "axe.min.js")
    commands = {
        "agenda.html": "agenda render 2026-12-03 -f html", "agenda-public.html": "agenda render 2026-12-03 -f html --public",
        "minutes.html": "minutes render 2026-10-01 -f html", "minutes-approved.html": "minutes render 2026-07-16 -f html",
        "actions.html": "actions -f html", "actions-by-owner.html": "actions --all --group-by owner -f html",
    }
    for name, command in commands.items():
        page = run(command).stdout
        (folder / name).write_text(page.replace(
            "</body>", f'<script src="axe.min.js"></script><script>{AXE_RUN}</script></body>'), "utf-8")

    def check(numbered):
        number, name = numbered
        return name, dump_result((folder / name).as_uri(), tmp_path / f"profile-{number}", width=320)

    with ThreadPoolExecutor(max_workers=min(6, os.cpu_count() or 2)) as pool:
        results = dict(pool.map(check, enumerate(commands)))
    problems = [f"{name}: {v['id']} ({v['help']}) at {v['nodes']}" for name, r in results.items() for v in r["violations"]]
    problems += [f"{name}: scrolls sideways at 320 px ({r['widths']})" for name, r in results.items() if not r["fits"]]
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(CHROMIUM is None or shutil.which("pdftotext") is None, reason="needs Chromium and pdftotext")
def test_pages_print_cleanly(site, tmp_path):
    """Printed, a page is its content: no skip link, no site navigation, no search box."""
    for number, name in enumerate(["index.html", "meetings/2026-12-03/agenda.html", "actions.html"]):
        pdf = tmp_path / f"page-{number}.pdf"
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", f"--user-data-dir={tmp_path / f'print-{number}'}",
                        "--no-pdf-header-footer", f"--print-to-pdf={pdf}", (site / name).as_uri()],
                       capture_output=True, timeout=180)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "essex strategic coordination group" in text.lower(), name
        assert "Skip to content" not in text, name
        wide = [line for line in text.splitlines() if len(line) > 160]
        assert not wide, (name, wide[:2])  # nothing cut off at the page's edge
