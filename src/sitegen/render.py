"""Site -> {output_path: HTML bytes} through the Jinja theme; template mistakes become problems."""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import jinja2

from sitegen import urls
from sitegen.errors import Location, Problem, error
from sitegen.model import Site
from sitegen.theme import Theme

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def make_environment(site: Site, theme: Theme) -> jinja2.Environment:
    """Autoescaping, strict Jinja: an undefined name is an error, not an empty string."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    base_path = urlsplit(site.config.base_url).path.rstrip("/")
    env.filters["url"] = lambda url: base_path + url
    env.filters["permalink"] = lambda url: urls.permalink(site.config.base_url, url)
    env.filters["iso"] = lambda when: when.isoformat()
    env.filters["display_date"] = display_date
    env.globals.update(site=site, config=site.config)
    return env


def display_date(when: dt.date) -> str:
    """'14 March 2025', the same on every machine (no locale involved)."""
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


def render_site(site: Site, theme: Theme) -> tuple[dict[str, bytes], list[Problem]]:
    """Render every page in memory; a template problem is reported once, with its line."""
    env = make_environment(site, theme)
    pages: dict[str, bytes] = {}
    problems: dict[str, Problem] = {}
    for output_path, template, context in _pages(site):
        try:
            pages[output_path] = env.get_template(template).render(context).encode("utf-8")
        except Exception as exc:  # noqa: BLE001 - every template failure is reported, not raised
            problem = template_problem(exc, theme, site.config.site_dir)
            problems.setdefault(str(problem), problem)
    return pages, list(problems.values())


def _pages(site: Site) -> Iterator[tuple[str, str, dict[str, Any]]]:
    articles = site.articles
    for index, article in enumerate(articles):
        newer = articles[index - 1] if index > 0 else None
        older = articles[index + 1] if index + 1 < len(articles) else None
        context = {"article": article, "newer": newer, "older": older, "url": article.url}
        yield article.output_path, "article.html", context
    for listing in site.listings:
        yield listing.output_path, "listing.html", {"listing": listing, "url": listing.url}


def template_problem(exc: Exception, theme: Theme, site_dir: Path) -> Problem:
    """Turn a Jinja failure into `templates/x.html:LINE: message`."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        where = _template_location(exc.filename, exc.lineno, site_dir)
        return error(where, f"{exc.message} (template syntax error)")
    if isinstance(exc, jinja2.TemplateNotFound):
        searched = ", ".join(str(d) for d in theme.template_dirs)
        missing = PurePosixPath("templates") / str(exc.name)
        return error(Location(missing), f"template not found in {searched}")
    for frame, line in reversed(list(traceback.walk_tb(exc.__traceback__))):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            return error(_template_location(filename, line, site_dir), f"{exc} (template error)")
    return error(Location(PurePosixPath("templates")), f"{type(exc).__name__}: {exc}")


def _template_location(filename: str, line: int | None, site_dir: Path) -> Location:
    path = Path(filename)
    try:
        rel = PurePosixPath(path.resolve().relative_to(site_dir.resolve()).as_posix())
    except ValueError:
        rel = PurePosixPath("(default theme)") / "templates" / path.name
    return Location(rel, line)
