"""Site -> {output_path: HTML bytes} through the Jinja theme; template mistakes become problems."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import traceback
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from pathlib import Path, PurePosixPath
from types import CodeType
from typing import Any

import jinja2
import jinja2.runtime
from markupsafe import Markup, escape

from sitegen import urls
from sitegen.assemble.paginate import page_window
from sitegen.cache.store import digest
from sitegen.config.settings import Config
from sitegen.errors import Location, Problem, error
from sitegen.model import MONTH_NAMES, Article, Site, Tag
from sitegen.render.pages import PageSpec
from sitegen.render.relative import relative_links
from sitegen.render.sharing import news_article, script_json
from sitegen.render.theme import Theme


def make_environment(
    site: Site, theme: Theme, compiled_dir: Path | None = None
) -> jinja2.Environment:
    """Autoescaping, strict Jinja: an undefined name is an error, not an empty string.
    With `compiled_dir`, compiled templates are kept there between builds."""
    env = theme_environment(site.config, theme, compiled_dir)
    env.globals.update(page_window=page_window, top_tags=top_tags, month_name=month_name)
    env.globals.update(
        feed_urls=urls.feed_urls, news_article=lambda a: news_article(a, site.config)
    )
    env.globals.update(site=site, config=site.config, teaser=_Teasers(env))
    env.globals["image_size"] = site.image_sizes.get  # (width, height) or None
    return env


def theme_environment(
    config: Config, theme: Theme, compiled_dir: Path | None = None
) -> jinja2.Environment:
    """`make_environment` without the site's globals: what compiling a template needs
    (its filters too, see `folded_settings`)."""
    compiled = None
    if compiled_dir:
        compiled = jinja2.FileSystemBytecodeCache(str(compiled_folder(config, compiled_dir)))
    env = ThemeEnvironment(
        auto_reload=False,  # one build, one look at each template file (not one per page)
        bytecode_cache=compiled,
        loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.template_class = ThemeTemplate
    base_path = config.base_path
    env.filters["url"] = lambda url: base_path + url
    env.filters["permalink"] = lambda url: urls.permalink(config.site_url, url)
    env.filters["script_json"] = script_json
    env.filters["iso"] = lambda when: when.isoformat()
    env.filters["display_date"] = display_date
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
    except OSError:
        return
    for name in names:
        with contextlib.suppress(Exception):  # the rendering meets it again, and reports it
            env.get_template(name)


def folded_settings(config: Config) -> str:
    """What compiled templates hold of the config: Jinja works out a filter of a constant
    when it compiles (`'/css/site.css' | url` becomes the URL under the base path), so
    templates compiled for one base URL are not those of another (`serve` has its own)."""
    return digest(config.base_path, config.site_url)


# What Jinja's decorators mark a function with, got through them (the marks' type is private)
_WANTS_EVAL_CONTEXT = jinja2.pass_eval_context(lambda: None).jinja_pass_arg  # type: ignore[attr-defined]
_WANTS_ENVIRONMENT = jinja2.pass_environment(lambda: None).jinja_pass_arg  # type: ignore[attr-defined]


class ThemeContext(jinja2.runtime.Context):
    """Jinja's render context, with a shorter way to call a function from a template
    (`{{ teaser(article) }}`, a macro, `feed_urls(...)`: 15 calls a page). Jinja asks
    twice whether the callable, or its `__call__`, wants the context passed, each time
    through two functions and `hasattr`; a missing attribute read with a default answers
    the same for less. What is passed, and when, is Jinja's."""

    def call(
        __self,  # Jinja's names: `self` could be a keyword argument of the call
        __obj: Callable[..., Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        method = getattr(__obj, "__call__", None)  # noqa: B004 - the method, as Jinja reads it
        wants = getattr(method, "jinja_pass_arg", None)
        if wants is not None:  # a callable object whose method wants something (a macro)
            __obj = method  # type: ignore[assignment]
        else:
            wants = getattr(__obj, "jinja_pass_arg", None)
        if wants is _WANTS_EVAL_CONTEXT:
            args = (__self.eval_ctx, *args)
        elif wants is _WANTS_ENVIRONMENT:
            args = (__self.environment, *args)
        elif wants is not None:  # the context itself, with the variables of loops and blocks
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)  # what Jinja adds for the context, if wanted
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Jinja has it
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


class ThemeEnvironment(jinja2.Environment):
    """Jinja's environment, but:

    - each template's globals are a plain dict, not a ChainMap over the environment's:
      every render copies them into a new context, and copying a ChainMap looks each name
      up in the template's own (empty) map first and catches the KeyError, 20 times a
      template, some 470,000 exceptions in a 5,000-article build (6 % of page rendering).
      Jinja's one loss is that a global added after a template is loaded is not seen by
      it; sitegen sets every global before it loads a template;
    - a template a page extends or imports is found in a plain dict: Jinja's cache takes a
      lock and makes a weak reference for each look-up, twice a page. Only without
      `auto_reload`, which sitegen turns off (one build, one look at each template);
    - its context is a `ThemeContext`.
    """

    context_class = ThemeContext

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._loaded: dict[str, jinja2.Template] = {}

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}

    def _load_template(
        self,
        name: str,
        globals: MutableMapping[str, Any] | None,  # noqa: A002 - Jinja's name
    ) -> jinja2.Template:
        if globals or self.auto_reload:
            return super()._load_template(name, globals)
        template = self._loaded.get(name)
        if template is None:
            template = self._loaded[name] = super()._load_template(name, None)
        return template


class ThemeTemplate(jinja2.Template):
    """A theme template as Jinja makes it, but for two costs paid on every page:

    - its `{% import %}`/`{% from %}` module is made once per build, not once per page.
      Jinja makes a fresh module when the importing page's globals differ from the
      imported template's; in a sitegen theme every template has the environment's
      globals, so that check only cost time (a set difference over a ChainMap);
    - its `{{ value }}` output is escaped by `escape_output`.
    """

    def _get_default_module(self, ctx: jinja2.runtime.Context | None = None) -> Any:
        return super()._get_default_module(None)

    @classmethod
    def from_code(
        cls,
        environment: jinja2.Environment,
        code: CodeType,
        globals: MutableMapping[str, Any],  # noqa: A002 - Jinja's name
        uptodate: Callable[[], bool] | None = None,
    ) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        template.root_render_func.__globals__["escape"] = escape_output  # the module's
        return template


def escape_output(value: Any) -> Any:
    """What Jinja's compiled templates call on every `{{ value }}` when autoescaping:
    markupsafe.escape, without its copy of text that needs no escaping (most titles,
    URLs and dates) or of Markup. Pages only join what this returns, so the text is all
    that counts; 80 calls a page made this a sixth of rendering one."""
    kind = value.__class__
    if kind is str:
        if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
            return escape(value)
        return value
    if kind is Markup:
        return value
    return escape(value)


class _Teasers:
    """`teaser(article)` in templates: _teaser.html rendered once per article and build,
    then reused by every listing that shows it (most articles appear on ten or so)."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.done: dict[str, Markup] = {}

    def __call__(self, article: Article) -> Markup:
        html = self.done.get(article.url)
        if html is None:
            html = self.done[article.url] = Markup(self._template.render(article=article))
        return html

    @functools.cached_property
    def _template(self) -> jinja2.Template:
        """Looked up once, not once per teaser."""
        return self.env.get_template("_teaser.html")


def display_date(when: dt.date) -> str:
    """'14 March 2025', the same on every machine (no locale involved)."""
    return f"{when.day} {MONTH_NAMES[when.month - 1]} {when.year}"


def month_name(month: int) -> str:
    return MONTH_NAMES[month - 1]


def top_tags(
    tags: Mapping[Tag, Sequence[Article]], count: int
) -> list[tuple[Tag, Sequence[Article]]]:
    """The most used tags, most articles first (ties by slug)."""
    return sorted(tags.items(), key=lambda item: (-len(item[1]), item[0].slug))[:count]


class PageRenderer:
    """Renders pages one by one; a template failure becomes a problem and empty bytes."""

    def __init__(self, site: Site, theme: Theme, compiled_dir: Path | None = None) -> None:
        self.env = make_environment(site, theme, compiled_dir)
        self.theme = theme
        self.site_dir = site.config.site_dir
        self.config = site.config
        self.problems: dict[str, Problem] = {}
        self._templates: dict[tuple[str, ...], jinja2.Template] = {}

    def found(self) -> list[Problem]:
        return list(self.problems.values())

    def __call__(self, spec: PageSpec) -> bytes:
        try:
            page = self._template(spec.templates).render(spec.context)
            if self.config.relative_urls or self.config.explicit_index:
                page = relative_links(
                    page, spec.url, self.config.base_path, explicit_index=self.config.explicit_index
                )
            return page.encode("utf-8")
        except Exception as exc:  # noqa: BLE001 - every template failure is reported, not raised
            problem = template_problem(exc, self.theme, self.site_dir)
            self.problems.setdefault(str(problem), problem)  # once, not once per page
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
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        syntax = _template_location(exc.filename, exc.lineno, site_dir)
        return error(syntax, f"{exc.message} (template syntax error)")
    where = _failing_template_line(exc, site_dir)
    if isinstance(exc, jinja2.TemplateNotFound):
        searched = ", ".join(str(d) for d in theme.template_dirs)
        if where is not None:  # extended, included or imported by that template
            return error(where, f"template {exc.name!r} not found in {searched}")
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
    path = Path(filename)
    try:
        rel = PurePosixPath(path.resolve().relative_to(site_dir.resolve()).as_posix())
    except ValueError:
        rel = PurePosixPath("(default theme)") / "templates" / path.name
    return Location(rel, line)
