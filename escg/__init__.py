"""escg: the secretariat's toolkit for a strategic coordination group.

The library is importable without Typer or rich: `escg.store.Store` opens a store,
and the noun modules (`escg.people`, `escg.meetings`, `escg.agenda`) act on it.
"""

__version__ = "0.1.0"
