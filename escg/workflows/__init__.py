"""Layer 3: work that spans the domain.

``documents`` (what agendas, minutes and action logs show), ``confidential`` (their
public forms), ``reschedule`` (moving or cancelling a meeting and everything that names
it), ``calendar``, ``circulation`` (what mail sends), ``invitations``, ``check``,
``minutes_doc`` (the minutes as one document, for `minutes edit`), ``attendance_report``,
``merge`` (git's key-by-key merge of one store file).
"""
