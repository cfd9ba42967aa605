"""`escg publish`: the group's public website, as static files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

from escg.cli.params import Context, Option

from escg.cli.common import say, store, warn


def site_publish(
    ctx: Context,
    out: Annotated[Path, Option("--out", "-o", help="The folder to write the site into (created if need be).")],
    drafts: Annotated[Optional[bool], Option("--drafts/--no-drafts",
                                             help="Publish draft minutes too (default: escg.toml's publish_drafts, else no).")] = None,
    search: Annotated[bool, Option("--search/--no-search", help="Index the site with Pagefind for full-text search.")] = True,
) -> None:
    """Write the group's public website: meetings, documents, decisions, feeds and search.

    Only files whose bytes change are written; files an earlier publish wrote that are no
    longer published are removed. Every document is its public form: confidential items
    show only their public title and reason.

    Example: escg publish --out site --no-search
    """
    from escg.integrations.publish import publish

    done = publish(store(ctx), out, drafts=drafts, search=search)
    for message in done.warnings:
        warn(message)
    removed = f", removed {len(done.removed)}" if done.removed else ""
    say(f"wrote {len(done.written)} pages, {len(done.unchanged)} unchanged{removed}"
        + ("; search indexed" if done.searchable else "") + f" ({out})")
