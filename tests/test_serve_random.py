"""`sitegen serve` after a random series of editors' actions: after each one, the preview
serves exactly the files a clean build of the same sources makes (issue 27: the preview
plans the site in memory and makes pages on request, so nothing of a build is reused
as-is; this is the randomized test, as tests/test_incremental.py is for builds)."""

from __future__ import annotations

import os
import random
from pathlib import Path

from tests.conftest import MakeSite, running_preview
from tests.served import assert_served_as_built, settled
from tests.test_incremental import ARCHIVE, mutate, random_archive, random_article

STEPS = int(os.environ.get("SITEGEN_SERVE_STEPS", "12"))


def test_served_site_equals_a_clean_build_after_random_edits(
    make_site: MakeSite, tmp_path: Path
) -> None:
    rng = random.Random(20261207)
    files: dict[str, str | bytes]
    if ARCHIVE:  # SITEGEN_RANDOM_ARTICLES: a large archive, as in tests/test_incremental.py
        files = random_archive(rng, ARCHIVE, "")
    else:
        files = {f"content/a{i}.md": random_article(rng, i) for i in range(10)}
    root = make_site(files)
    history: list[str] = []
    with running_preview(root) as preview:
        assert_served_as_built(preview, root, tmp_path, "start")
        for step in range(STEPS):
            epoch = preview.server.state.epoch
            history.append(mutate(rng, root, step))
            settled(preview, epoch)
            assert not preview.server.state.problems, preview.server.state.problems
            assert_served_as_built(preview, root, tmp_path, f"step {step} {history}")
