"""Layer 1, beside escg.store: the two other ends of escg's I/O.

``render`` (the one cached Jinja environment, and renders read back from a cache) and
``mail`` (messages drafted, built, written as .eml or sent by SMTP or sendmail).
"""
