"""Functions and macros called from a theme get exactly what Jinja would give them: sitegen's
render context takes a shorter way to a call (jinja_speedups.ThemeContext), and its
environment finds extended and imported templates in a dict of its own (ThemeEnvironment)."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest

from sitegen.render.jinja_speedups import ThemeContext, ThemeEnvironment


@jinja2.pass_context
def seen_from(context: jinja2.runtime.Context, name: str) -> str:
    """What a context-wanting function sees: loop and block variables too."""
    return f"{name}={context.get(name)!r}"


@jinja2.pass_eval_context
def escaping(eval_ctx: jinja2.nodes.EvalContext, text: str) -> str:
    return f"{text}:{eval_ctx.autoescape}"


@jinja2.pass_environment
def same_environment(environment: jinja2.Environment, text: str) -> str:
    return f"{text}:{environment.globals['marker']}"


def plain(*args: Any, **kwargs: Any) -> str:
    return f"{args!r} {sorted(kwargs.items())!r}"


class Teasers:
    """A callable object, as `teaser` is."""

    def __call__(self, text: str) -> str:
        return f"<{text}>"


class ContextObject:
    @jinja2.pass_context
    def __call__(self, context: jinja2.runtime.Context, name: str) -> str:
        return f"object {name}={context.get(name)!r}"


def stops() -> str:
    raise StopIteration


TEMPLATES = {
    "base.html": "[{% block body %}{% endblock %}]",
    "macros.html": (
        "{% macro shout(x, loud=false) %}{{ x | upper if loud else x }}{% endmacro %}"
        "{% macro framed(x) %}({{ caller() }}{{ x }}){% endmacro %}"
    ),
    "page.html": (
        '{% extends "base.html" %}{% from "macros.html" import shout, framed %}'
        "{% block body %}{% set inside = 'b' %}"
        "{{ seen_from('inside') }} {{ seen_from('top') }} "
        "{% for item in items %}{{ seen_from('item') }} {{ object('item') }} "
        "{{ plain(item, key=item) }} {{ teaser(item) }} {{ shout(item, loud=loop.first) }} "
        "{% call framed(item) %}{{ escaping(item) }}{% endcall %} {% endfor %}"
        "{{ same_environment('x') }} {{ plain() }} {{ self.body is defined }}"
        "{% endblock %}"
    ),
}
GLOBALS = {
    "seen_from": seen_from, "escaping": escaping, "same_environment": same_environment,
    "plain": plain, "teaser": Teasers(), "object": ContextObject(), "stops": stops,
    "marker": "m", "top": "t",
}  # fmt: skip


def environment(kind: type[jinja2.Environment]) -> jinja2.Environment:
    env = kind(loader=jinja2.DictLoader(TEMPLATES), autoescape=True, auto_reload=False)
    env.globals.update(GLOBALS)
    return env


def test_calls_get_what_jinja_gives_them() -> None:
    ours = environment(ThemeEnvironment)
    assert ours.context_class is ThemeContext
    context = {"items": ["one", "<two>"]}
    page = ours.get_template("page.html").render(context)
    assert page == environment(jinja2.Environment).get_template("page.html").render(context)
    assert "inside=&#39;b&#39;" in page  # a block's variable, seen by a context-wanting call
    assert "x:m" in page and "(one:Trueone)" in page  # environment; eval context in a call block
    assert "ONE" in page and "&lt;one&gt;" in page  # a macro's keyword; a callable object


def test_a_callable_that_raises_stop_iteration_gives_undefined_as_with_jinja() -> None:
    for kind in (jinja2.Environment, ThemeEnvironment):
        env = environment(kind)
        assert env.from_string("{{ stops() is undefined }}").render() == "True"
        env.undefined = jinja2.StrictUndefined
        with pytest.raises(jinja2.UndefinedError, match="StopIteration"):
            env.from_string("{{ stops() }}").render()


def test_templates_are_loaded_once_and_found_again() -> None:
    env = environment(ThemeEnvironment)
    first = env.get_template("base.html")
    assert env.get_template("base.html") is first
    env.get_template("page.html").render(items=[])
    assert env.get_template("macros.html") is env.get_template("macros.html")
