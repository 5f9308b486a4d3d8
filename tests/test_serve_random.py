"""`sitegen serve` after a random series of editors' actions: after each one, the preview
serves exactly the files a clean build of the same sources makes (issue 27: the preview
plans the site in memory and makes pages on request, so nothing of a build is reused
as-is; this is the randomized test, as tests/test_incremental.py is for builds). Half the
actions change only an article's words, which the preview applies in place (serve.patch):
those must be served as a clean build makes them too, and so must the new, deleted and
re-tagged articles the preview applies as a change of the site's structure
(serve.restructure)."""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

from tests.conftest import MakeSite, running_preview
from tests.served import assert_served_as_built, settled
from tests.test_incremental import ARCHIVE, mutate, random_archive, random_article

WORDS = ["reword", "retitle", "summary", "caption"]

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
    in_place, restructured = [], []
    with running_preview(root) as preview:
        assert_served_as_built(preview, root, tmp_path, "start")
        for step in range(STEPS):
            epoch = preview.server.state.epoch
            lines = []
            preview.report = lines.append
            if rng.random() < 0.5:
                history.append(mutate(rng, root, step))
            else:
                history.append(change_words(rng, root, step))
            settled(preview, epoch)
            in_place += [step for line in lines if "(its pages only)" in line]
            restructured += [step for line in lines if "(their listings only)" in line]
            assert not preview.server.state.problems, preview.server.state.problems
            assert_served_as_built(preview, root, tmp_path, f"step {step} {history}")
    assert in_place, "no save was applied in place: the test no longer tests serve.patch"
    assert restructured, "no structural save was followed: it no longer tests serve.restructure"


def change_words(rng: random.Random, root: Path, step: int) -> str:
    """An edit of an article's words only: its body, title, summary or lead image caption
    (the image itself unchanged)."""
    path = rng.choice(sorted((root / "content").rglob("*.md")))
    text = path.read_text()
    action = rng.choice(WORDS)
    if action == "reword":  # in the first paragraph (the teaser's) or at the end
        if "Paragraph" in text:
            text = text.replace("Paragraph", f"Passage {step}", rng.randint(1, 3))
        else:
            text += f"\nA line added at step {step}.\n"
    elif action == "retitle":
        text = re.sub(
            r"^title: .*$", f"title: {json.dumps(f'Retitled {step}')}", text, count=1, flags=re.M
        )
    elif action == "summary":
        text = re.sub(r"^summary: .*\n", "", text, flags=re.M)
        text = text.replace("---\n", f'---\nsummary: "Said in short {step}"\n', 1)
    else:
        text = re.sub(r"^image_caption: .*\n", "", text, flags=re.M)
        text = text.replace("---\n", f'---\nimage_caption: "Caption {step}"\n', 1)
    path.write_text(text)
    return f"{action} {path.name}"
