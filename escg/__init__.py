"""escg: the secretariat's toolkit for a strategic coordination group.

The library is importable without Typer or rich, and layered, a folder a layer; a
module imports only from its own layer or lower ones (tests/test_layers.py enforces
it, and each folder's __init__ names its modules):

0. ``core/``: the domain's values and rules (``model``, ``dates``, ``ids``, ...), pure, no I/O.
1. ``store/`` (finding a store, the one loader, the index, the queries, atomic writes
   under a lock, the worker processes that read a whole store) and ``services/``
   (``render``, the Jinja environment; ``mail``).
2. ``domain/``, in order: ``people`` < ``meetings`` < ``agenda`` < ``actions`` <
   ``attendance`` < ``interests`` < ``minutes``.
3. ``workflows/``: work that spans the domain (``documents``, ``reschedule``, ``check``, ...).
4. ``integrations/``: PDF, Word, Excel, import, the published site, git.
5. ``cli/`` (one module per noun, a fast path and the Typer app) and ``console``.
"""

__version__ = "0.1.0"
