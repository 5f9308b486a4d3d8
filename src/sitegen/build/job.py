"""What a build is asked to do and holds (BuildOptions, Job): read by every stage, and by
the recipe before it knows whether there is anything to build. Light to import: a build
whose inputs did not change returns before the stages (stages.py) are even imported."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.config.languages import on_one_domain
from sitegen.config.settings import Config, enable_search
from sitegen.runtime.clock import Stopwatch

if TYPE_CHECKING:
    from sitegen.cache.store import BuildCache
    from sitegen.content.loading import Held
    from sitegen.render.theme import Theme
    from sitegen.runtime.scheduler import Scheduler


@dataclass(frozen=True)
class BuildOptions:
    """How `build()` was asked to build, besides the site's own config."""

    include_drafts: bool
    include_future: bool
    strict: bool
    base_url: str | None
    jobs: int | None
    search: bool | None
    relative_urls: bool
    offline: bool

    def applied_to(self, config: Config) -> Config:
        """The config as these options change it."""
        if self.base_url is not None or self.offline:  # one address (serve, bundle)
            config = dataclasses.replace(config, languages=on_one_domain(config.languages))
        if self.base_url is not None:
            config = dataclasses.replace(config, base_url=self.base_url)
        if self.search:
            config = enable_search(config)
        elif self.search is False:
            config = dataclasses.replace(config, search=False)
        if self.relative_urls or self.offline:
            config = dataclasses.replace(config, relative_urls=True, explicit_index=self.offline)
        return config

    def key(self, job: Job) -> str:
        """What of these options makes a different output (part of the inputs' signature)."""
        config = job.config
        return repr(
            (self.include_drafts, self.include_future, self.strict, self.base_url, config.search,
             config.relative_urls, config.explicit_index, str(job.output_dir.resolve()))
        )  # fmt: skip


@dataclass(frozen=True)
class Job:
    """What every stage of one build reads: what to build, and what the build holds."""

    output_dir: Path
    options: BuildOptions
    config: Config
    theme: Theme
    cache: BuildCache
    scheduler: Scheduler
    now: dt.datetime | None  # what is future (left out); None: every date is published
    held: Held | None  # what a long-lived caller keeps from load to load (see build())
    clock: Stopwatch = dataclasses.field(default_factory=Stopwatch)
