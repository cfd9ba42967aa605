"""Layer 0, the core: the domain's values and rules as pure code, with no I/O.

``model`` (the domain as record classes and status enums, which ``records`` makes),
``dates``, ``ids``, ``formats``, ``ical`` (iCalendar text), ``patterns`` (regular
expressions compiled when first used), ``errors``, ``argv`` (the root's options in a
command line), ``digests`` (SHA without OpenSSL's import).
"""
