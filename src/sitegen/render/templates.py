"""Site -> {output_path: HTML bytes} through the Jinja theme; template mistakes become problems."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import traceback
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from markupsafe import Markup

from sitegen import urls
from sitegen.assemble.paginate import page_window
from sitegen.cache.store import digest
from sitegen.cache.version import code_version
from sitegen.config.settings import Config
from sitegen.config.yamldoc import decode_utf8
from sitegen.errors import Location, Problem, error, shown
from sitegen.model import MONTH_NAMES, Article, Site, Tag, direction
from sitegen.render.hosts import host_base_path, on_own_domains
from sitegen.render.i18n import EXTENSIONS, install_filters, install_localization
from sitegen.render.images import add_image_filters, add_image_helpers, share_image
from sitegen.render.l10n import Localization, site_localization
from sitegen.render.pages import PageSpec
from sitegen.render.relative import relative_links
from sitegen.render.sharing import news_article, script_json
from sitegen.render.theme import Theme
from sitegen.runtime.speedups import check_jinja

# Whether Jinja is one that render/jinja_speedups.py was tested on (decided once)
SPEEDUPS = check_jinja()


def make_environment(
    site: Site,
    theme: Theme,
    compiled_dir: Path | None = None,
    localization: Localization | None = None,
) -> jinja2.Environment:
    """Autoescaping, strict Jinja: an undefined name is an error, not an empty string.
    With `compiled_dir`, compiled templates are kept there between builds."""
    env = theme_environment(site.config, theme, compiled_dir)
    install_localization(env, localization or site_localization(site.config, theme.template_dirs))
    env.globals.update(page_window=page_window, top_tags=top_tags)
    env.globals.update(
        feed_urls=urls.feed_urls,
        news_article=functools.partial(_news_article, site=site),
        text_direction=direction,
        # '/fa' for a URL of a language on its own domain (render/hosts.py), else ''
        own_domain=lambda url: urls.host_of(url, site.config.hosts)[0],
    )
    env.globals.update(site=site, config=site.config, teaser=_Teasers(env))
    env.globals["image_size"] = site.image_sizes.get  # (width, height) or None
    add_image_helpers(env, site)  # the site's pictures: in bodies, sizes, share cards
    return env


def _news_article(
    article: Article, alternates: Sequence[Any] = (), config: Config | None = None, *, site: Site
) -> dict[str, Any]:
    """news_article for templates: the share image worked out; `config`: the page's
    language's (its title and URLs), else the site's."""
    card = share_image(article, site)
    image = (card.url, card.width, card.height) if card else None
    return news_article(article, config or site.config, image, alternates)


class CheckedBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept on disk, each file behind a SHA-256 of its bytes. Jinja
    reads them with marshal, which can crash the interpreter on damaged data (random
    bytes in one made every later build die without a word): a file whose sum does not
    match is removed and the template compiled afresh."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path = self._path_of(bucket)
        try:
            data = path.read_bytes()
        except OSError:
            return
        if hashlib.sha256(data[32:]).digest() != data[:32]:
            path.unlink(missing_ok=True)  # damaged, or written by an older sitegen
            return
        bucket.bytecode_from_string(data[32:])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = bucket.bytecode_to_string()
        path = self._path_of(bucket)
        partial = path.with_name(f"{path.name}.{os.getpid()}")  # workers write at once
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            partial.write_bytes(hashlib.sha256(data).digest() + data)
            os.replace(partial, path)

    def _path_of(self, bucket: jinja2.bccache.Bucket) -> Path:
        return Path(self.directory, self.pattern % bucket.key)


def theme_environment(
    config: Config, theme: Theme, compiled_dir: Path | None = None
) -> jinja2.Environment:
    """`make_environment` without the site's globals: what compiling a template needs
    (its filters too, see `folded_settings`)."""
    compiled = None
    if compiled_dir:
        compiled = CheckedBytecodeCache(str(compiled_folder(config, compiled_dir)))
    env = _new_environment(
        auto_reload=False,  # one build, one look at each template file (not one per page)
        bytecode_cache=compiled,
        loader=ThemeLoader(theme.template_dirs, config.site_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=EXTENSIONS,
    )
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # the i18n extension's setting
    env.policies["ext.i18n.trimmed"] = True  # a message's line breaks are not the translator's
    base_path = config.base_path
    env.filters["url"] = lambda url: urls.under_base(url, base_path)
    env.filters["permalink"] = config.absolute
    env.filters["script_json"] = script_json
    env.filters["iso"] = lambda when: when.isoformat()
    install_filters(env)
    add_image_filters(env, config)  # filters must be known when a template is compiled
    return env


class TemplateReadError(jinja2.TemplateError):
    """A template file that is there but cannot be read as text, with its problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class ThemeLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, but a template that cannot be read (not UTF-8, a read error,
    a folder or a link to nowhere by that name) is that file's problem: Jinja would crash
    the build on the first two and quietly take the default theme's file for the others."""

    def __init__(self, folders: Sequence[Path], site_dir: Path) -> None:
        super().__init__([str(folder) for folder in folders])
        self.site_dir = site_dir

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # TemplateNotFound for '..' and the like
        for folder in self.searchpath:
            path = os.path.join(folder, *pieces)
            if os.path.isfile(path):
                break
            if os.path.lexists(path):
                what = "a link to nowhere" if os.path.islink(path) else "not a file"
                raise TemplateReadError(self._problem(path, f"is {what}; remove or rename it"))
        try:
            return super().get_source(environment, template)
        except jinja2.TemplateNotFound:
            raise
        except OSError as exc:
            raise TemplateReadError(self._problem(path, f"cannot read: {exc.strerror}")) from None
        except UnicodeDecodeError:
            location = _template_location(path, None, self.site_dir)
            with contextlib.suppress(OSError):
                _, [problem] = decode_utf8(Path(path).read_bytes(), location.path)
                raise TemplateReadError(problem) from None
            raise TemplateReadError(self._problem(path, "not valid UTF-8 text")) from None

    def _problem(self, path: str, message: str) -> Problem:
        return error(_template_location(path, None, self.site_dir), message)


def _new_environment(**options: Any) -> jinja2.Environment:
    """Jinja's own Environment and Template, or sitegen's faster ones where they may run."""
    if not SPEEDUPS.is_on:
        return jinja2.Environment(**options)
    from sitegen.render.jinja_speedups import ThemeEnvironment, ThemeTemplate

    env = ThemeEnvironment(**options)
    env.template_class = ThemeTemplate
    return env


def compiled_folder(config: Config, compiled_dir: Path) -> Path:
    """Where the compiled templates of builds with this config's URLs are kept (made)."""
    folder = compiled_dir / folded_settings(config)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def compile_theme(config: Config, theme: Theme, compiled_dir: Path) -> None:
    """Compile every page template of the theme into `compiled_dir`, for the workers that
    render pages to load rather than each compile them all. A template that does not
    compile is left to the rendering, which reports it."""
    try:
        env = theme_environment(config, theme, compiled_dir)
        names = env.list_templates(extensions=["html"])
    except (OSError, RecursionError):  # Jinja lists with os.walk, which recurses per level
        return
    for name in names:
        with contextlib.suppress(Exception):  # the rendering meets it again, and reports it
            env.get_template(name)


def folded_settings(config: Config) -> str:
    """What compiled templates hold of the config: Jinja works out a filter of a constant
    when it compiles (`'/css/site.css' | url` becomes the URL under the base path), so
    templates compiled for one base URL are not those of another (`serve` has its own).
    sitegen's own code too: which extensions run and which filters are passed the page's
    context (the language) are compiled in."""
    hosts = repr(config.hosts)
    return digest(config.base_path, config.site_url, hosts, code_version(), *EXTENSIONS)


class _Teasers:
    """`teaser(article)` in templates: _teaser.html rendered once per article and build,
    then reused by every listing that shows it (most articles appear on ten or so). Kept
    in UTF-8: with one curly quote or ellipsis a str takes two bytes a character, and a
    worker rendering the listings of 50,000 articles grew by 180 MB, now by 118 (decoding
    a teaser again takes half a microsecond). `surrogatepass`: kept as it was made."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.done: dict[str, bytes] = {}

    def __call__(self, article: Article, first: bool = False) -> Markup:
        key = f"{first:d}{article.url}"
        kept = self.done.get(key)
        if kept is not None:
            return Markup(kept.decode("utf-8", "surrogatepass"))
        html = self._template.render(article=article, first=first)
        self.done[key] = html.encode("utf-8", "surrogatepass")
        return Markup(html)

    @functools.cached_property
    def _template(self) -> jinja2.Template:
        """Looked up once, not once per teaser."""
        return self.env.get_template("_teaser.html")


def display_date(when: dt.date) -> str:
    """'14 March 2025', the same on every machine (no locale involved): the search
    index's dates; pages' dates are in their language (render/l10n.py)."""
    return f"{when.day} {MONTH_NAMES[when.month - 1]} {when.year}"


def top_tags(
    tags: Mapping[Tag, Sequence[Article]], count: int
) -> list[tuple[Tag, Sequence[Article]]]:
    """The most used tags, most articles first (ties by slug)."""
    return sorted(tags.items(), key=lambda item: (-len(item[1]), item[0].slug))[:count]


class PageRenderer:
    """Renders pages one by one; a template failure becomes a problem and empty bytes."""

    def __init__(self, site: Site, theme: Theme, compiled_dir: Path | None = None) -> None:
        self.localization = site_localization(site.config, theme.template_dirs)
        self.env = make_environment(site, theme, compiled_dir, self.localization)
        self.theme = theme
        self.site_dir = site.config.site_dir
        self.config = site.config
        self.problems: dict[str, Problem] = {}
        self.failures = 0  # pages and files that failed (each problem is kept once only)
        self._templates: dict[tuple[str, ...], jinja2.Template] = {}

    def found(self) -> list[Problem]:
        return [*self.problems.values(), *self.localization.problems.values()]

    def forget(self, changed: Collection[Article]) -> None:
        """Render these articles' teasers again (changed in place: serve.patch)."""
        teasers = self.env.globals.get("teaser")
        if isinstance(teasers, _Teasers):
            for article in changed:
                teasers.done.pop(f"0{article.url}", None)
                teasers.done.pop(f"1{article.url}", None)

    def __call__(self, spec: PageSpec) -> bytes:
        try:
            page = self._template(spec.templates).render(spec.context)
            url, base_path = spec.url, self.config.base_path
            if hosts := self.config.hosts:  # languages on their own domains
                page = on_own_domains(page, url, base_path, self.config.site_url, hosts)
                host, url = urls.host_of(url, hosts)
                base_path = host_base_path(hosts[host]) if host else base_path
            if self.config.relative_urls or self.config.explicit_index:
                explicit = self.config.explicit_index
                page = relative_links(page, url, base_path, explicit_index=explicit)
            return page.encode("utf-8")
        except Exception as exc:  # noqa: BLE001 - every template failure is reported, not raised
            problem = template_problem(exc, self.theme, self.site_dir)
            self.problems.setdefault(str(problem), problem)  # once, not once per page
            self.failures += 1
            return b""

    def read_static(self, path: Path) -> bytes:
        """A static file's bytes; one that cannot be read (removed since it was listed,
        permission denied) is its problem, and empty bytes."""
        try:
            return path.read_bytes()
        except OSError as exc:
            where = Location(_site_path(path, self.site_dir))
            problem = error(where, f"cannot read: {exc.strerror or exc}")
            self.problems.setdefault(str(problem), problem)
            self.failures += 1
            return b""

    def _template(self, names: tuple[str, ...]) -> jinja2.Template:
        """Looked up once per build: Jinja remembers no template it did not find, so a
        theme without `tag.html` would have its loader search the file system for it again
        on every tag page before falling back to `listing.html`."""
        template = self._templates.get(names)
        if template is None:
            template = self._templates[names] = self.env.select_template(names)
        return template


def template_problem(exc: Exception, theme: Theme, site_dir: Path) -> Problem:
    """Turn a Jinja failure into `templates/x.html:LINE: message`."""
    if isinstance(exc, TemplateReadError):
        return exc.problem
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        syntax = _template_location(exc.filename, exc.lineno, site_dir)
        return error(syntax, f"{exc.message} (template syntax error)")
    where = _failing_template_line(exc, site_dir)
    if isinstance(exc, jinja2.TemplateNotFound):
        searched = ", ".join(str(d) for d in theme.template_dirs)
        if where is not None:  # extended, included or imported by that template
            return error(where, f"template {shown(exc.name)} not found in {searched}")
        missing = PurePosixPath("templates") / str(exc.name)
        return error(Location(missing), f"template not found in {searched}")
    if where is not None:
        return error(where, f"{exc} (template error)")
    return error(Location(PurePosixPath("templates")), f"{type(exc).__name__}: {exc}")


def _failing_template_line(exc: Exception, site_dir: Path) -> Location | None:
    """The innermost template line in the traceback (Jinja maps frames to template lines)."""
    for frame, line in reversed(list(traceback.walk_tb(exc.__traceback__))):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            return _template_location(filename, line, site_dir)
    return None


def _template_location(filename: str, line: int | None, site_dir: Path) -> Location:
    return Location(_site_path(Path(filename), site_dir, "templates"), line)


def _site_path(path: Path, site_dir: Path, kind: str = "static") -> PurePosixPath:
    """`path` relative to the site, or in the default theme's `kind` folder."""
    path = path.parent.resolve() / path.name  # a link: its own name
    try:
        return PurePosixPath(path.relative_to(site_dir.resolve()).as_posix())
    except ValueError:
        return PurePosixPath("(default theme)") / kind / path.name
