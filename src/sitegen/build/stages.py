"""The stages every way of building shares, up to rendering: load, assemble, plan, check.

`build()` (recipe.py) renders every outdated file and publishes them; the preview server
(serve.live) renders a page when it is asked for. Both get the same site from these.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.assemble.related import (
    RelatedMemo,
    RelateFn,
    find_related,
    remembered_related,
)
from sitegen.assemble.site import assemble_site
from sitegen.build.job import Job
from sitegen.config.redirects import redirect_problems
from sitegen.config.settings import config_warnings, menu_problems
from sitegen.content.article import missing_images
from sitegen.content.images import image_sizes
from sitegen.content.loading import LoadResult, load_articles
from sitegen.content.manifest import Inputs
from sitegen.content.symlinks import link_problems
from sitegen.errors import Problem, sort_problems
from sitegen.images.site import Prepared, Sizes, prepare_site_images
from sitegen.model import Article, Site
from sitegen.render.clashes import blocking_clashes, page_clashes, static_clashes
from sitegen.render.fingerprints import Shown
from sitegen.render.l10n import untranslated_words
from sitegen.render.outputs import Output, every_path, plan_outputs
from sitegen.render.pages import PageSpec, site_pages
from sitegen.render.redirects import redirect_specs
from sitegen.render.search import search_outputs
from sitegen.render.templates import PageRenderer
from sitegen.render.theme import collect_static


@dataclass
class Memo:
    """What a long-lived caller (serve) keeps from plan to plan: which template chains read
    `site`, what each article adds to fingerprints (worked out as pages are asked for,
    after the cache that would remember them is closed), and the related articles' index."""

    templates: dict[str, bool] = dataclasses.field(default_factory=dict)
    articles: dict[tuple[Any, ...], str] = dataclasses.field(default_factory=dict)
    related: RelatedMemo = dataclasses.field(default_factory=RelatedMemo)


@dataclass(frozen=True)
class Assembled:
    site: Site
    pages: tuple[PageSpec, ...]  # the site's pages (redirects are in `specs` too)
    specs: tuple[PageSpec, ...]
    static: Mapping[str, Path]
    problems: list[Problem]  # of the articles and the site, found so far
    sizes: Mapping[str, Sizes] = dataclasses.field(default_factory=dict)  # images': images/

    @property
    def static_files(self) -> int:
        """The static files published, each size of each image counted."""
        return len(self.static) + sum(len(made.paths) for made in self.sizes.values())


@dataclass(frozen=True)
class Planned:
    assembled: Assembled
    plan: list[Output]
    renderer: PageRenderer
    memo: dict[str, bool]  # which templates use the whole site (render.outputs)
    problems: list[Problem]  # the articles', the site's, and the URL clashes'
    forgets: tuple[Callable[[Collection[Article]], None], ...] = ()
    # each output's articles, as its fingerprint is worked out (a build's: build.record)
    trace: dict[str, Shown] | None = None

    def forget(self, changed: Collection[Article]) -> None:
        """Forget what was worked out from these articles, which a long-lived caller
        changed in place (serve.patch); it forgets the outputs' fingerprints itself."""
        for forget in self.forgets:
            forget(changed)


def load(job: Job, inputs: Inputs) -> LoadResult:
    with job.clock("load"):
        loaded = load_articles(
            job.config, strict=job.options.strict, cache=job.cache, jobs=job.options.jobs,
            stamps=inputs.stamps, keep=job.scheduler.keep, held=job.held,
        )  # fmt: skip
    job.scheduler.pause()
    return loaded


def images(job: Job, loaded: LoadResult) -> Prepared:
    """The static images published without metadata, in sizes for the pages (images/)."""
    with job.clock("images"):
        static = collect_static(job.theme)
        config, cache = job.config, job.cache
        return prepare_site_images(config, loaded.articles, static, cache, job.options.jobs)


def assemble(job: Job, loaded: LoadResult, images: Prepared, memo: Memo | None = None) -> Assembled:
    """The Site, its pages and the redirect pages; related articles are chosen by workers
    meanwhile (assemble.related), cached across builds; or, with a long-lived caller's
    `memo` (the preview makes pages on request), one article's when its page asks."""
    with job.clock("assemble"):
        if memo is not None:
            relate: RelateFn = functools.partial(find_related, lazily=memo.related)
        else:
            find = functools.partial(find_related, jobs=job.options.jobs)
            relate = remembered_related(job.cache, find)  # most edits change no choice
        site, problems = assemble_site(
            job.config, loaded.articles, include_drafts=job.options.include_drafts,
            now=job.now, relate=relate,
        )  # fmt: skip
        # pixel sizes read from the files, for the lead images the stage made no sizes of
        # (it knows those it made; templates and share cards use its Picture then)
        leads = (a.image.src for a in site.every_article if a.image)
        sizes = image_sizes((src for src in leads if src not in images.pictures), images.static)
        site = dataclasses.replace(site, image_sizes=sizes, pictures=images.pictures)
        static = images.static  # the static files, the images as published
        pages = tuple(site_pages(site))
        specs = (*pages, *redirect_specs(site))
    problems = [*loaded.problems, *problems, *images.problems]
    return Assembled(site, pages, specs, static, problems, images.sizes)


def plan(
    job: Job,
    assembled: Assembled,
    previous: Mapping[str, str],
    memo: Memo | None = None,
    *,
    grouped: bool = False,
) -> Planned:
    """Every output file with its fingerprint, but those a URL clash stops. `memo`: what
    a long-lived caller keeps from plan to plan (by default the cache's template memo).
    `grouped`: an image's sizes are one output with it (render.outputs.Output.sizes), as
    a build publishes them; else one output each, as the preview reads them."""
    site, theme = assembled.site, job.theme
    with job.clock("render"):
        renderer = PageRenderer(site, theme, job.cache.compiled_templates_dir)
        templates = job.cache.template_memo() if memo is None else memo.templates
        forgets: list[Callable[[Collection[Article]], None]] = [renderer.forget]
        trace: dict[str, Shown] | None = {} if memo is None and job.held is None else None
        plan = plan_outputs(
            site, renderer.env, theme.template_dirs, assembled.specs, assembled.static,
            renderer, templates, read_static=renderer.read_static,
            article_keys=memo.articles if memo else None, forgets=forgets,
            sizes=assembled.sizes, grouped=grouped, trace=trace,
        )  # fmt: skip
        plan += search_outputs(site, previous, job.output_dir, renderer.localization)  # if on
        clashes, plan = blocking_clashes(site, assembled.pages, plan)
    problems = [*assembled.problems, *clashes]
    return Planned(assembled, plan, renderer, templates, problems, tuple(forgets), trace)


def check(into: list[Problem], job: Job, planned: Planned) -> None:
    """Every problem of the build but rendering's, in file and line order, put `into` the
    list: these checks need nothing rendered, so they run while the workers render."""
    config, strict = job.config, job.options.strict
    assembled, plan = planned.assembled, planned.plan
    found = [*planned.problems, *page_clashes(assembled.pages), *static_clashes(plan)]
    found += link_problems(config.site_dir)
    found += missing_images(
        (*assembled.site.every_article, *assembled.site.every_page), assembled.static
    )
    found += config_warnings(config, strict=strict)
    outputs = set(every_path(plan))
    found += menu_problems(config, outputs, strict=strict)
    found += redirect_problems(config.redirects, outputs, strict=strict)
    if strict:  # the theme's words a page in another language shows in English
        items = (*assembled.site.every_article, *assembled.site.every_page)
        found += untranslated_words(planned.renderer.localization, config, items)
    into.extend(sort_problems(found))
