"""Layer 4: what members and the public receive, and the tools outside escg.

``pdf`` (WeasyPrint and pypdf, the pdf extra), ``word`` (python-docx), ``spreadsheet``
(openpyxl), ``importer`` (an action log from Excel or CSV), ``publish`` (the public
website, with Pagefind), ``sync`` (git as the store's distributed engine).
"""
