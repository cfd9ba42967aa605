"""Regular expressions compiled when first used.

A command uses a few of the patterns escg defines; compiling all of them at
import costs a few milliseconds of every command's start (SPEC §8).
"""

from __future__ import annotations

import re
from typing import Any


class Pattern:
    """``re.compile(source, flags)``, compiled on first use."""

    def __init__(self, source: str, flags: int = 0) -> None:
        self.source = source
        self.flags = flags
        self.compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:  # fullmatch, match, search, sub, pattern...
        if self.compiled is None:
            self.compiled = re.compile(self.source, self.flags)
        return getattr(self.compiled, name)
