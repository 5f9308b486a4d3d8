"""The site's articles and static files -> the image stage's work (stage.py), with the
store in the build cache's folder."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from sitegen.cache.store import BuildCache
from sitegen.config.settings import Config
from sitegen.images.formats import Prepared, Sizes, is_rewritten
from sitegen.images.store import ImageStore, made_images_dir
from sitegen.model import Article

__all__ = ["Prepared", "Sizes", "prepare_site_images"]


def prepare_site_images(
    config: Config,
    articles: Sequence[Article],
    static: Mapping[str, Path],
    cache: BuildCache,
    jobs: int | None,
) -> Prepared:
    """Every static image as published, and the sizes of those the articles show."""
    if not any(map(is_rewritten, static)):
        return Prepared({}, {}, [], 0, static)  # (and Pillow is not even imported)
    from sitegen.images.stage import prepare_images, site_shown_images  # noqa: PLC0415

    leads = [a.image.src for a in articles if a.image]
    if config.images.default_image:
        leads.append(config.images.default_image)
    # --no-cache: made afresh, and stored for the next build (reuse off)
    store = ImageStore(made_images_dir(config.site_dir), reuse=cache.db is not None)
    bodies = ((a.digest, a.body) for a in articles)
    srcs = site_shown_images(bodies, leads, config.base_path, store)
    return prepare_images(config.images, config.site_dir, static, srcs, store, jobs)
