"""Every link and image in README.md, CHANGELOG.md and docs/**/*.md works in a clone.

Links are read from the Markdown outside fenced code blocks and inline code spans: inline
links and images, reference-style links and their definitions, raw HTML `href`/`src`, and
bare URLs (which GitHub turns into links). A problem is reported as `path:line: message`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")  # any indent: fences also sit in list items
ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
BACKTICKS = re.compile(r"`+")
REFERENCE_DEFINITION = re.compile(
    r"^ {0,3}\[([^\]]+)\]:[ \t]*(<[^>]*>|\S+)(?:[ \t]+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?[ \t]*$",
    re.MULTILINE,
)
FULL_REFERENCE = re.compile(r"(?<!\\)\[((?:[^\[\]\\]|\\.)+)\]\[([^\[\]]*)\](?!\()")
AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>")
HTML_ATTRIBUTE = re.compile(r"<[A-Za-z][^<>]*?\s(?:href|src)\s*=\s*[\"']([^\"']*)[\"']")
BARE_URL = re.compile(r"(?<![<(\w/])(?:https?://|www\.)[^\s<>)]+")
HTML_ANCHOR = re.compile(r"<a\s[^>]*?(?:id|name)\s*=\s*[\"']([^\"']+)[\"']")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class Link:
    """One link target as written, with the file and line that hold it."""

    path: Path
    shown: str
    line: int
    target: str

    def where(self) -> str:
        return f"{self.shown}:{self.line}"


REQUIRED = ("README.md", "CHANGELOG.md", "docs/index.md")


def markdown_files(root: Path = REPO_ROOT) -> list[Path]:
    """README.md, CHANGELOG.md and every Markdown file under docs/ that exists."""
    files = [root / "README.md", root / "CHANGELOG.md", *sorted((root / "docs").rglob("*.md"))]
    return [path for path in files if path.is_file()]


def blank_code(text: str) -> str:
    """The text with fenced code blocks and inline code spans replaced by spaces.

    Line breaks are kept, so offsets still give the right line numbers.
    """
    return blank_code_spans(blank_fences(text))


def blank_fences(text: str) -> str:
    """The text with every line of a fenced code block made empty."""
    lines = text.split("\n")
    fence: str | None = None
    for number, line in enumerate(lines):
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            lines[number] = ""
        elif fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                if not line.strip().strip(fence[0]):
                    fence = None
            lines[number] = ""
    return "\n".join(lines)


def blank_code_spans(text: str) -> str:
    """Replace each inline code span (a run of backticks to the next run as long) by spaces."""
    pieces: list[str] = []
    position = 0
    while True:
        opening = BACKTICKS.search(text, position)
        if opening is None:
            break
        closing = BACKTICKS.search(text, opening.end())
        while closing is not None and len(closing.group()) != len(opening.group()):
            closing = BACKTICKS.search(text, closing.end())
        if closing is None:
            pieces.append(text[position : opening.end()])
            position = opening.end()
            continue
        pieces.append(text[position : opening.start()])
        pieces.append(re.sub(r"[^\n]", " ", text[opening.start() : closing.end()]))
        position = closing.end()
    pieces.append(text[position:])
    return "".join(pieces)


def line_of(text: str, offset: int) -> int:
    """The 1-based line of a character offset."""
    return text.count("\n", 0, offset) + 1


def inline_destinations(text: str) -> list[tuple[int, str]]:
    """(offset, target) of every `[text](target)` and `![alt](target)`, nested ones included."""
    found: list[tuple[int, str]] = []
    for opening in re.finditer(r"(?<!\\)\]\(", text):
        start = opening.end()
        while start < len(text) and text[start] in " \t\n":
            start += 1
        if text.startswith("<", start):
            end = text.find(">", start)
            if end != -1:
                found.append((start, text[start + 1 : end]))
            continue
        depth, end = 0, start
        while end < len(text) and not text[end].isspace():
            if text[end] == "(":
                depth += 1
            elif text[end] == ")":
                if depth == 0:
                    break
                depth -= 1
            end += 1
        if end > start:
            found.append((start, text[start:end]))
    return found


def normalize_label(label: str) -> str:
    """A reference label as Markdown matches it: case and runs of spaces do not count."""
    return " ".join(label.split()).casefold()


def extract_links(path: Path, root: Path = REPO_ROOT) -> tuple[list[Link], list[str]]:
    """Every link target in one Markdown file, and problems found while reading it."""
    text = blank_code(path.read_text(encoding="utf-8"))
    shown = path.relative_to(root).as_posix()
    found: dict[tuple[int, str], None] = {}
    problems: list[str] = []
    definitions: set[str] = set()
    for match in REFERENCE_DEFINITION.finditer(text):
        definitions.add(normalize_label(match.group(1)))
        target = match.group(2).removeprefix("<").removesuffix(">")
        found[line_of(text, match.start()), target] = None
    for offset, target in inline_destinations(text):
        found[line_of(text, offset), target] = None
    for pattern in (AUTOLINK, HTML_ATTRIBUTE, BARE_URL):
        for match in pattern.finditer(text):
            found[line_of(text, match.start()), match.group(1 if pattern.groups else 0)] = None
    for match in FULL_REFERENCE.finditer(text):
        label = match.group(2) or match.group(1)
        if normalize_label(label) not in definitions:
            line = line_of(text, match.start())
            problems.append(f"{shown}:{line}: reference [{label}] is not defined")
    links = [Link(path, shown, line, target) for line, target in sorted(found)]
    return links, problems


def heading_text(raw: str) -> str:
    """The text GitHub shows for a heading's Markdown: no code marks, link targets or tags."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", raw)
    text = re.sub(r"<[^>]+>", "", text)
    return text.replace("`", "").replace("*", "")


def github_anchor(text: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = unicodedata.normalize("NFC", heading_text(text).strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every fragment a link into this Markdown file may name."""
    lines = blank_fences(path.read_text(encoding="utf-8")).split("\n")
    seen: dict[str, int] = {}
    found: set[str] = set()
    for number, line in enumerate(lines):
        heading = None
        atx = ATX_HEADING.match(line)
        if atx:
            heading = atx.group(2)
        elif number > 0 and SETEXT_UNDERLINE.match(line) and is_paragraph_line(lines[number - 1]):
            heading = lines[number - 1].strip()
        if heading is not None:
            anchor = github_anchor(heading)
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            found.add(anchor if count == 0 else f"{anchor}-{count}")
        found.update(match.group(1) for match in HTML_ANCHOR.finditer(line))
    return found


def is_paragraph_line(line: str) -> bool:
    """Whether a line can be the text of a setext heading (not a list item, quote or table)."""
    stripped = line.strip()
    return bool(stripped) and not re.match(r"^(#|[-*+>|]|\d+[.)])", stripped)


def is_external(target: str) -> bool:
    """Whether a target is a URL (any scheme, or protocol-relative), not a path."""
    return bool(SCHEME.match(target)) or target.startswith(("//", "www."))


def split_target(link: Link) -> tuple[Path, str | None]:
    """The file a relative target names (resolved from its Markdown file) and its fragment."""
    target, _, fragment = link.target.partition("#")
    target = unquote(target.split("?", 1)[0])
    resolved = link.path.parent / target if target else link.path
    return Path(resolved).resolve(), (unquote(fragment) if "#" in link.target else None)


def is_inside(path: Path, root: Path) -> bool:
    """Whether a resolved path lies in the folder `root`."""
    return path == root or root in path.parents


def all_links() -> list[Link]:
    """Every link of every documentation file of the repository."""
    return [link for path in markdown_files() for link in extract_links(path)[0]]


def missing_targets(links: list[Link], root: Path = REPO_ROOT) -> list[str]:
    """Problems with relative targets that name nothing in the repository."""
    problems = []
    for link in links:
        if is_external(link.target):
            continue
        if link.target.startswith("/"):
            problems.append(
                f"{link.where()}: link {link.target!r} starts with '/'; "
                "write the path relative to this file"
            )
            continue
        resolved, _ = split_target(link)
        if is_inside(resolved, root) and not resolved.exists():
            shown = resolved.relative_to(root).as_posix()
            problems.append(f"{link.where()}: link {link.target!r} leads nowhere: no file {shown}")
    return problems


def broken_fragments(links: list[Link], root: Path = REPO_ROOT) -> list[str]:
    """Problems with `#fragment`s that match no heading of the Markdown file they point into."""
    problems = []
    known: dict[Path, set[str]] = {}
    for link in links:
        if is_external(link.target) or link.target.startswith("/"):
            continue
        resolved, fragment = split_target(link)
        if fragment is None or resolved.suffix != ".md" or not resolved.is_file():
            continue
        if not is_inside(resolved, root):
            continue
        if resolved not in known:
            known[resolved] = anchors(resolved)
        if fragment not in known[resolved]:
            shown = resolved.relative_to(root).as_posix()
            problems.append(
                f"{link.where()}: link {link.target!r}: {shown} has no heading "
                f"with the anchor '#{fragment}'"
            )
    return problems


def outside_links(links: list[Link], root: Path = REPO_ROOT) -> list[str]:
    """Problems with links that leave the repository: absolute URLs or paths above its root."""
    problems = []
    for link in links:
        if is_external(link.target):
            problems.append(
                f"{link.where()}: link {link.target!r} points outside the repository; "
                "name the project instead, or put an example address in a code span"
            )
        elif not link.target.startswith("/") and not is_inside(split_target(link)[0], root):
            problems.append(
                f"{link.where()}: link {link.target!r} leads outside the repository, "
                "which a clone does not have"
            )
    return problems


def test_docs_files_are_present() -> None:
    missing = [name for name in REQUIRED if not (REPO_ROOT / name).is_file()]
    assert not missing, f"missing documentation files: {missing}"


def test_docs_references_are_defined() -> None:
    problems = [problem for path in markdown_files() for problem in extract_links(path)[1]]
    assert not problems, "\n" + "\n".join(problems)


def test_docs_relative_links_resolve() -> None:
    problems = missing_targets(all_links())
    assert not problems, "\n" + "\n".join(problems)


def test_docs_fragments_match_headings() -> None:
    problems = broken_fragments(all_links())
    assert not problems, "\n" + "\n".join(problems)


def test_docs_links_stay_inside_repository() -> None:
    problems = outside_links(all_links())
    assert not problems, "\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Live preview: `sitegen serve`", "live-preview-sitegen-serve"),
        ('Related articles ("Continue Reading")', "related-articles-continue-reading"),
        ("For editors: new → serve → check → commit", "for-editors-new--serve--check--commit"),
        ("Configuration: `sitegen.yaml`", "configuration-sitegenyaml"),
        ("Moving from [WordPress](wordpress.md)", "moving-from-wordpress"),
    ],
)
def test_docs_anchor_is_githubs(heading: str, anchor: str) -> None:
    assert github_anchor(heading) == anchor


def test_docs_checker_finds_every_kind_of_problem(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "other.md").write_text(
        "# Other\n\n## Second part\n\n## Using `sitegen.yaml`\n", encoding="utf-8"
    )
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "# Page\n"
        "[fine](other.md#second-part) [self](#page) ![img](other.md) [c](other.md#using-sitegenyaml)\n"
        "[missing](nothing.md) and [bad anchor](other.md#third-part)\n"
        "[web](https://example.org/) and [up](../../outside.md)\n"
        "`[in code](nowhere.md)` and see https://example.org/ bare\n"
        "```\n[in a fence](nowhere.md) https://example.org/\n```\n"
        "[ref link][gone] and [defined][ok]\n\n"
        "[ok]: other.md#nope\n",
        encoding="utf-8",
    )
    links, problems = extract_links(page, tmp_path)
    assert problems == ["docs/page.md:9: reference [gone] is not defined"]
    assert missing_targets(links, tmp_path) == [
        "docs/page.md:3: link 'nothing.md' leads nowhere: no file docs/nothing.md"
    ]
    assert broken_fragments(links, tmp_path) == [
        "docs/page.md:3: link 'other.md#third-part': docs/other.md has no heading "
        "with the anchor '#third-part'",
        "docs/page.md:11: link 'other.md#nope': docs/other.md has no heading "
        "with the anchor '#nope'",
    ]
    outside = outside_links(links, tmp_path)
    assert [problem.split(":")[1] for problem in outside] == ["4", "4", "5"]
    assert all("outside the repository" in problem for problem in outside)


def test_docs_name_only_tests_that_exist() -> None:
    """ "Errors and safety" and the guides point each promise at its test file: a test
    renamed or removed must take the pointer with it."""
    named = re.compile(r"tests/(test_\w+\.py)(?:::(\w+))?")
    missing = []
    for path in markdown_files():
        text = path.read_text(encoding="utf-8")
        for match in named.finditer(text):
            test_file = REPO_ROOT / "tests" / match[1]
            where = f"{path.relative_to(REPO_ROOT)}:{line_of(text, match.start())}"
            if not test_file.is_file():
                missing.append(f"{where}: no file tests/{match[1]}")
            elif match[2] and f"def {match[2]}(" not in test_file.read_text(encoding="utf-8"):
                missing.append(f"{where}: no test {match[2]} in tests/{match[1]}")
    assert not missing, "\n".join(missing)
