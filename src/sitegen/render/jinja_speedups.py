"""sitegen's speed-ups of Jinja, through its private methods: a theme's environment, templates
and render context that do what Jinja's do, for less. Used only where runtime/speedups.py
finds a tested Jinja (templates.py makes the choice); else Jinja's own classes are."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from types import CodeType
from typing import Any

import jinja2
import jinja2.runtime
from markupsafe import Markup, escape

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
