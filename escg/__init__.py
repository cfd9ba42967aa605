"""escg: the secretariat's toolkit for a strategic coordination group.

The library is importable without Typer or rich, and layered; a module imports
only from its own layer or lower ones (tests/test_layers.py enforces it):

0. ``argv`` (the root's options in a command line), ``errors``, ``patterns`` (regular
   expressions compiled when first used), ``model`` (the domain as record classes and
   status enums; ``records`` makes them), ``dates``, ``ids``, ``formats``, ``ical``
   (iCalendar text), ``digests`` (SHA without OpenSSL's import): pure, no I/O.
1. ``store`` (finding a store, the one loader, the index, the action query,
   atomic writes under a lock, the worker processes that read a whole store),
   ``render`` (the Jinja environment), ``mail``.
2. The domain, in order: ``people`` < ``meetings`` < ``agenda`` < ``actions`` <
   ``attendance`` < ``interests`` (the register of interests) < ``minutes``.
3. Work that spans the domain: ``documents`` (what agendas, minutes and action
   logs show), ``reschedule`` (moving or cancelling a meeting and everything that
   names it), ``calendar``, ``circulation`` (what mail sends), ``invitations`` (iTIP
   invitations by mail, over calendar and circulation), ``check``,
   ``minutes_doc`` (the minutes as one document, for `minutes edit`), ``attendance_report``
   (attendance over time), ``confidential`` (the public form of each document, without
   its confidential items), ``merge`` (git's key-by-key merge of one store file).
4. The documents members receive, and bringing a log in: ``pdf`` (WeasyPrint and
   pypdf, the ``pdf`` extra), ``word`` (python-docx), ``spreadsheet`` (openpyxl),
   ``importer`` (an existing action log from Excel or CSV), ``publish`` (the public website),
   ``sync`` (git as the store's distributed engine: `escg sync`, history).
5. The command line: ``cli`` (one module per noun, a fast path and the Typer app), ``console``.
"""

__version__ = "0.1.0"
