"""The `permalink` setting: a pattern every host can serve, checked before anything is
formatted with it (`{slug:>999999999}` would fill memory, `{slug!r}` fail mid-build)."""

from __future__ import annotations

import re
import string

from sitegen import urls
from sitegen.errors import shown

PERMALINK_FIELDS = frozenset({"slug", "year", "month", "day"})
_PERMALINK_PART = re.compile(r"[a-z0-9_-]+")


def permalink_problem(pattern: str) -> str | None:
    """What is wrong with a permalink pattern, or None if nothing is."""
    try:
        fields = [field for field in string.Formatter().parse(pattern) if field[1] is not None]
    except ValueError as exc:
        return f"{shown(pattern)} is not a valid pattern ({exc})"
    names = {name for _, name, _, _ in fields}
    allowed = ", ".join("{" + name + "}" for name in sorted(PERMALINK_FIELDS))
    if not names <= PERMALINK_FIELDS:
        unknown = ", ".join(sorted(shown(n) for n in names - PERMALINK_FIELDS))
        return f"unknown placeholder {unknown}; use {allowed}"
    if any(spec or conversion for _, _, spec, conversion in fields):
        return f"{shown(pattern)} has a placeholder with '!' or ':'; use {allowed}"
    if "slug" not in names:
        return f"{shown(pattern)} must contain {{slug}}, e.g. '/{{year}}/{{slug}}/'"
    if not (pattern.startswith("/") and pattern.endswith("/")) or "//" in pattern:
        return f"{shown(pattern)} must start and end with '/', e.g. '/{{slug}}/'"
    parts = _sample_url(pattern).strip("/").split("/")
    if not all(map(_PERMALINK_PART.fullmatch, parts)):
        return (
            f"{shown(pattern)} may only hold a-z, 0-9, '-', '_' and placeholders between its '/'s "
            "(no '..', '\\', spaces or capitals: URLs must work on every host)"
        )
    if any(len(part) > urls.NAME_BYTES for part in parts):
        return (
            f"{shown(pattern)} has a part (between '/'s) longer than {urls.NAME_BYTES} bytes, "
            "the most a folder name may have; shorten it"
        )
    return None


def _sample_url(pattern: str) -> str:
    return pattern.format(slug="slug", year="2000", month="01", day="01")
