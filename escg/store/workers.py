"""Work on many store files in worker processes, a process per core (at most four).

A first index build and `escg check --full` read every file of the store, and reading
(TOML, then the model's checks) is nearly all of their time: on two cores a second
process halves it. The work goes in batches of ``BATCH`` files, and the results come
back in order, a batch at a time, so the caller records or reports each as it comes.

Workers are forked where the system can fork, so they start with what this process
holds: a checker with the store's people, organisations and themes needs no pickling,
only what comes back is pickled. ``forked()`` says whether that is so; elsewhere the
caller passes what a batch needs with it, or does the work itself.

A worker that dies (killed, out of memory) stops the work with an error (exit 1: not the
store's fault, nor a problem `escg check` found) rather than leaving it waiting for ever
(concurrent.futures notices; multiprocessing.Pool does not); a worker whose parent dies
leaves too, instead of waiting on its pipe for work that will never come.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterator

from escg.core.errors import EscgError

PARALLEL_FROM = 2000  # files from which a second process is worth starting
BATCH = 500  # files a worker takes at a time (and how often a long build reports progress)


def worth(count: int) -> bool:
    """Whether ``count`` files are worth worker processes here."""
    return count >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2


def forked() -> bool:
    """Whether workers start as copies of this process (they can use what it holds)."""
    return hasattr(os, "fork")


def batches(items: list) -> list[list]:
    return [items[start:start + BATCH] for start in range(0, len(items), BATCH)]


def each_batch(function: Callable[[Any], Any], work: list, what: str, then: str = "") -> Iterator[Any]:
    """``function(item)`` for each item of ``work`` (a batch each, as a rule), in order, from
    worker processes. ``function`` is a module's own function (pickled by name where the
    workers are not forked); ``what`` names the work in the error if a worker dies, and
    ``then`` says what follows."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork" if forked() else "spawn")
    workers = ProcessPoolExecutor(min(os.cpu_count() or 2, 4), mp_context=context,
                                  initializer=_leave_with_parent, initargs=(os.getpid(),))
    try:
        yield from workers.map(function, work)
    except BrokenProcessPool as error:
        raise EscgError(f"a process {what} stopped unexpectedly ({error}){then}") from None
    finally:
        workers.shutdown(wait=True, cancel_futures=True)


def _leave_with_parent(parent: int) -> None:
    """In a worker, first: end this process once ``parent`` is gone (killed with SIGKILL, it
    cannot stop its workers, which would wait on their pipe for ever)."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="escg-parent-watch", daemon=True).start()
