"""The one Jinja environment that renders every document.

Templates are looked up in ``<store>/templates/`` first, then in the bundled
ones. The environment is a sandbox (a store's templates are data, not code),
undefined names fail loudly, and ``.html`` templates are autoescaped.
Markdown templates escape store text with the ``md`` and ``cell`` filters.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from escg import dates
from escg.errors import InputError, NotFoundError
from escg.store import Store

FORMATS = {"md": "md", "html": "html"}


def bundled_templates() -> Path:
    """The templates shipped in the wheel, or the repo's templates/ in a checkout."""
    package = Path(__file__).resolve().parent
    inside = package / "templates"
    if inside.is_dir():
        return inside
    return package.parent / "templates"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md(text: Any) -> str:
    """Escape text for inline Markdown: no emphasis, links, HTML or headings from store text."""
    if text is None:
        return ""
    value = str(text).replace("&", "&amp;")
    value = _MD_SPECIAL.sub(lambda m: "&lt;" if m[1] == "<" else "&gt;" if m[1] == ">" else "\\" + m[1], value)
    # Only at the start of a line do these begin a heading, list or quote.
    value = re.sub(r"^(\s*)(\d+)([.)])", r"\1\2\\\3", value, flags=re.MULTILINE)
    value = re.sub(r"^(\s*)([-+#=])", r"\1\\\2", value, flags=re.MULTILINE)
    return value


def cell(text: Any) -> str:
    """Escape text for a Markdown table cell: as ``md``, and on one line."""
    return " ".join(md(text).split())


def environment(store: Store | None):
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    loaders = []
    if store is not None and (store.root / "templates").is_dir():
        loaders.append(FileSystemLoader(store.root / "templates"))
    loaders.append(FileSystemLoader(bundled_templates()))
    env = ImmutableSandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=select_autoescape(enabled_extensions=("html", "htm"), default_for_string=False),
    )
    env.filters["md"] = md
    env.filters["cell"] = cell
    env.filters["long_date"] = dates.long_date
    env.filters["short_date"] = dates.short_date
    return env


def render(store: Store | None, name: str, context: dict[str, Any]) -> str:
    """Render template ``name`` (such as ``agenda.html``) with ``context``."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.sandbox import SecurityError

    env = environment(store)
    try:
        template = env.get_template(name)
        return template.render(**context)
    except TemplateNotFound as error:
        raise NotFoundError(f"no template {error.name!r} in the store's templates/ or the bundled ones") from None
    except TemplateSyntaxError as error:
        where = error.filename or error.name or name
        raise InputError(f"template {where}:{error.lineno}: {error.message}") from None
    except UndefinedError as error:
        raise InputError(f"template {name}: {error.message}") from None
    except SecurityError as error:
        raise InputError(f"template {name} tried something unsafe: {error}") from None
    except TemplateError as error:
        raise InputError(f"template {name}: {error.message or error}") from None
    except (ArithmeticError, ValueError, TypeError, LookupError, AttributeError, RecursionError, MemoryError) as error:
        # A store's template is data: its mistakes are the user's, reported in one line.
        raise InputError(f"template {name} failed: {type(error).__name__}: {error}") from None


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InputError(f"format must be md or html, not {fmt!r}")
    return fmt
