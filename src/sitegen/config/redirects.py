"""The `redirects:` mapping of sitegen.yaml -> old addresses that are no article's, each
with the page it leads to and its line (a moved archive's tag and category pages).

An article's old addresses are its `aliases`; what no article owns (WordPress's
`/tag/%d8%ad%d9%82/` or `/category/news/`) is listed here, old path -> new path, and
checked as aliases are. render/redirects.py makes them redirect pages and server rules.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from sitegen import urls
from sitegen.config.yamldoc import FieldReader
from sitegen.errors import Location, Problem, error, shown, warning

CONFIG_NAME = "sitegen.yaml"  # (settings.py imports this module)

EXAMPLE = "e.g. redirects: {/category/news/: /tag/news/}"


@dataclass(frozen=True)
class Redirect:
    """One old address (a path, maybe with a query) and the site path it leads to."""

    old: str
    new: str
    line: int  # in sitegen.yaml


def read_redirects(reader: FieldReader, text: str) -> tuple[Redirect, ...]:
    """The `redirects` mapping, every pair checked; a problem names the pair's own line."""
    entry = reader.entries.get("redirects")
    if entry is None or entry.value is None:
        return ()
    if not isinstance(entry.value, dict):
        reader.fail("redirects", f"expected a mapping of old address -> new path; {EXAMPLE}")
        return ()
    lines = text.splitlines()
    redirects = []
    for old, new in entry.value.items():
        line = _line_of(lines, str(old), entry.line)
        problem = _problem(old, new)
        if problem:
            where = Location(reader.path, line)
            reader.problems.append(error(where, f"redirects: {shown(old)} {problem}"))
        else:
            redirects.append(Redirect(old.strip(), new.strip(), line))
    return tuple(redirects)


def _problem(old: object, new: object) -> str:
    if not isinstance(old, str) or not isinstance(new, str):
        return f"-> {shown(new)}: both sides must be text; {EXAMPLE}"
    if problem := urls.alias_problem(old.strip()):
        return problem
    target = new.strip()
    if (
        not target.startswith("/")
        or urls.leaves_site(target)
        or any(c in target for c in ' \\"<>\t\n\r')
        or "?" in target
    ):
        return f"-> {shown(new)}: the new address must be a path on this site, e.g. '/tag/news/'"
    return ""


def _line_of(lines: list[str], old: str, first: int) -> int:
    """The line of sitegen.yaml that holds the key `old`, from the `redirects:` line on
    (the mapping's own line when it is not written out as such, e.g. in flow style)."""
    keys = (f"{old}:", f'"{old}"', f"'{old}'")
    for number in range(first, len(lines) + 1):
        if lines[number - 1].strip().startswith(keys):
            return number
    return first


def redirect_problems(
    redirects: Sequence[Redirect], outputs: Collection[str], *, strict: bool = False
) -> list[Problem]:
    """A redirect to a path this build makes no file for: it would lead to the 404 page."""
    make = error if strict else warning
    problems = []
    for redirect in redirects:
        path = urlsplit(redirect.new).path.lstrip("/")
        if not path or path in outputs or f"{path.rstrip('/')}/index.html" in outputs:
            continue
        where = Location(PurePosixPath(CONFIG_NAME), redirect.line)
        problems.append(make(where, f"redirects: {shown(redirect.new)} is not a page of this site"))
    return problems
