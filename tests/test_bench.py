"""bench/generate.py makes the stores the benchmarks time: they must be stores escg
would have made, down to the record that approving minutes freezes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from escg.domain.minutes import live_record
from escg.store import Store
from escg.workflows.check import check

REPO = Path(__file__).resolve().parent.parent


def generator():
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_generated_store_is_clean_and_its_approved_records_are_escgs(tmp_path):
    out = tmp_path / "bench"
    made = generator().generate(45, out)
    assert made["actions"] == 45
    store = Store(out)
    assert [str(p) for p in check(store, full=True)] == []
    approved = [m for m in store.meetings.values() if m.status.approved]
    assert len(approved) == made["held"] - 1  # all but the latest, whose minutes are a draft
    for meeting in approved:
        assert meeting.minutes.frozen is not None, meeting.id
        live = live_record(store, meeting)
        live.digest = meeting.minutes.frozen.digest
        assert live == meeting.minutes.frozen, meeting.id
