"""SHA-1 and SHA-256 without importing ``hashlib``.

``hashlib`` loads OpenSSL's bindings (``_hashlib``) as it is imported: about 3 ms
of a command that needs one digest for a cache key. CPython's own builtin
implementations give the same digests; ``hashlib`` is the fallback wherever they
are missing or renamed (``_sha256`` became ``_sha2`` in 3.12).
"""

from __future__ import annotations

try:
    from _sha2 import sha256  # Python 3.12+
except ImportError:
    try:
        from _sha256 import sha256  # Python 3.11
    except ImportError:  # pragma: no cover - a build without them
        from hashlib import sha256
try:
    from _sha1 import sha1
except ImportError:  # pragma: no cover
    from hashlib import sha1

__all__ = ["sha1", "sha256"]
