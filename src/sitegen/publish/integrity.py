"""SHA256SUMS: what every file of a build holds, so anyone can check a mirror or a copy.

The file is in the format `sha256sum -c` reads (names with a backslash, newline or carriage
return escaped as GNU coreutils writes them); `sitegen verify` reads it too and reports
every entry of a copy that differs: missing, altered, or added, of any type. A file this
build did not change keeps the hash the previous SHA256SUMS gave it, and a file this build
made is hashed where its bytes were made (by the worker that wrote it), so no file is read
back to be hashed.
"""

from __future__ import annotations

import errno
import hashlib
import operator
import os
import re
import stat
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sitegen.urls import MARKER_PATH, SUMS_PATH

SUMS = SUMS_PATH
_ODD = re.compile(r"[\\\n\r]")  # what `sha256sum` escapes in a name
_PIECE = re.compile(r"\\(.?)|[^\\]+", re.DOTALL)
_UNESCAPE = {"\\": "\\", "n": "\n", "r": "\r"}
_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
UNREADABLE = "a folder that cannot be read"


def sums_parts(folder: Path, paths: Iterable[str], known: Mapping[str, str]) -> Iterator[bytes]:
    """SHA256SUMS for `paths` in `folder`, a thousand lines at a time; `known` hashes are
    trusted (unchanged files). Made whole, the 97,752 lines of a first build were 50 MB
    more at the peak of its largest process; checked for names that need escaping a part
    at a time (line by line, that was a second of every rebuild of such a site)."""
    names = sorted(paths)
    for start in range(0, len(names), _PART):
        part = names[start : start + _PART]
        digests = [known.get(name) or file_hash(folder / name) for name in part]
        line = sums_line if _ODD.search("\0".join(part)) else _PLAIN_LINE.format
        yield "".join(map(line, digests, part)).encode("utf-8", "surrogateescape")


_PART = 1000
_PLAIN_LINE = "{}  {}\n"  # sums_line of a name with nothing to escape


def sums_line(digest: str, name: str) -> str:
    """One line as `sha256sum` writes it: an odd name escaped, the line marked with '\\'."""
    if not _ODD.search(name):
        return f"{digest}  {name}\n"
    escaped = name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    return f"\\{digest}  {escaped}\n"


def write_sums(
    folder: Path,
    previous: Path,
    paths: Collection[str],
    changed: set[str],
    fresh: Mapping[str, str],
) -> None:
    """Write SHA256SUMS into `folder` (the next output): `fresh` hashes of files this build
    made, `previous`'s hashes of the unchanged ones; any other file is read and hashed."""
    try:
        text = (previous / SUMS).read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        text = ""
    lines = _plain_lines(text)
    if lines:  # as sitegen writes it: its lines kept as they are
        parts: Iterable[bytes] = [_updated(lines, folder, paths, changed, fresh)]
    else:  # none yet (a first build), or not as sitegen writes it
        old = read_sums(previous / SUMS) if lines is None else {}
        known = fresh
        if old:
            kept = {path: old[path] for path in paths if path in old and path not in changed}
            known = {**kept, **fresh}
        parts = sums_parts(folder, paths, known)
    target = folder / SUMS
    target.unlink(missing_ok=True)  # may be a hard link to the output's copy
    with target.open("wb") as file:
        file.writelines(parts)


def patched_sums(path: Path, remade: Mapping[str, str]) -> bytes | None:
    """The SHA256SUMS at `path` with these files' lines given their new hashes; None if
    one has no plain line of its own there."""
    try:
        data = bytearray(path.read_bytes())
    except OSError:
        return None
    for name, digest in remade.items():
        line = _PLAIN_LINE.format("", name).encode("utf-8", "surrogateescape")
        at = data.find(line) if not _ODD.search(name) else -1
        while at >= 0 and not (at == 64 or (at > 64 and data[at - 65] == 0x0A)):
            at = data.find(line, at + 1)  # (a longer name that ends with this one's line)
        if at < 64:
            return None
        data[at - 64 : at] = digest.encode("ascii")
    return bytes(data)


def _plain_lines(text: str) -> dict[str, str] | None:
    """{name: its line} of a SHA256SUMS whose every line is as sitegen writes a plain name
    (lower-case digest, two spaces), else None. Checked and split a column at a time:
    parsing line by line, a rebuild of 1,000 photos' 12,000 files spent 10 ms here."""
    if "\\" in text or "\r" in text or (text and not text.endswith("\n")):
        return None
    lines = text.split("\n")[:-1]
    if not lines:
        return {}
    if min(map(len, lines)) < 67 or set(map(_MODE, lines)) != {"  "}:
        return None
    try:  # (every digest at once: all hex digits, once those are removed nothing is left)
        if "".join(map(_DIGEST_PART, lines)).encode("ascii").translate(None, _HEX):
            return None
    except UnicodeEncodeError:
        return None
    names = list(map(_NAME, lines))
    return dict(zip(names, lines, strict=True)) if len(set(names)) == len(names) else None


_MODE, _DIGEST_PART, _NAME = (operator.itemgetter(slice(*s)) for s in ((64, 66), (64,), (66, None)))
_HEX = b"0123456789abcdef"


def _updated(
    lines: dict[str, str],
    folder: Path,
    paths: Collection[str],
    changed: set[str],
    fresh: Mapping[str, str],
) -> bytes:
    """SHA256SUMS from the last one's `lines`: those of changed and removed files left
    out, those of changed and new files added (`fresh` hashes, or read from `folder`)."""
    current = set(paths)
    for name in changed | (lines.keys() - current):
        lines.pop(name, None)
    for name in current - lines.keys():
        line = sums_line(fresh.get(name) or file_hash(folder / name), name)
        lines[name] = line[:-1]
    text = "\n".join(map(lines.__getitem__, sorted(lines)))
    return f"{text}\n".encode("utf-8", "surrogateescape") if lines else b""


def read_sums(path: Path) -> dict[str, str]:
    """{file: hex digest} from a SHA256SUMS file; {} if there is none or it is unreadable.
    Lines `sha256sum -c` would call improperly formatted are left out. One regular
    expression over the whole file when every line is as sitegen writes it (plain names,
    lower-case digests); line by line otherwise (a second of a 97,752-file rebuild)."""
    try:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        return {}
    plain = _PLAIN.findall(text)
    if len(plain) == text.count("\n") + (not text.endswith("\n")) or not text:
        return {name: digest for digest, name in plain}
    return dict(entry for line in _lines(path) if (entry := _parse_line(line)))


_PLAIN = re.compile(r"^([0-9a-f]{64})(?:  | \*)(.+)$", re.MULTILINE)


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        return []
    # not splitlines(): a name may hold '\f' or '\u2028', which sha256sum leaves as they are
    return text.removesuffix("\n").split("\n") if text else []


def _parse_line(line: str) -> tuple[str, str] | None:
    """(name, digest) from one line of SHA256SUMS, in text ('  ') or binary (' *') mode."""
    escaped = line.startswith("\\")
    line = line[1:] if escaped else line
    digest, mode, name = line[:64], line[64:66], line[66:]
    if not (_DIGEST.fullmatch(digest) and mode in ("  ", " *") and name):
        return None
    plain = _unescape(name) if escaped else name
    return None if plain is None else (plain, digest.lower())


def _unescape(name: str) -> str | None:
    """'a\\nb' -> 'a' newline 'b'; None for a backslash `sha256sum` would not have written."""
    pieces = []
    for match in _PIECE.finditer(name):
        if match[0].startswith("\\"):
            if match[1] not in _UNESCAPE:  # '' for a backslash at the end
                return None
            pieces.append(_UNESCAPE[match[1]])
        else:
            pieces.append(match[0])
    return "".join(pieces)


def data_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def printable(name: str) -> str:
    """A name fit for one line of a terminal: control characters written as escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


@dataclass(frozen=True)
class Difference:
    name: str  # relative to the copy's folder, '/'-separated
    what: str  # 'missing', 'altered', 'not in SHA256SUMS (a symlink)', ...


@dataclass(frozen=True)
class Verification:
    differences: tuple[Difference, ...]  # in name order

    @property
    def ok(self) -> bool:
        return not self.differences


def verify(folder: Path) -> Verification:
    """Compare a copy of a site with its SHA256SUMS (which must exist): every listed file
    must be a regular file with its bytes, and nothing else may be there but SHA256SUMS
    and sitegen's marker. Symlinks are never followed and no FIFO or device is opened."""
    sums, differences = _listing(folder / SUMS)
    found = survey(folder)
    differences += [
        Difference(name, what)
        for name, digest in sums.items()
        if (what := _listed(folder, name, digest, found.get(name)))
    ]
    for name, kind in found.items():
        if name in sums or kind == "a folder" or (kind == "a file" and _unlisted(name)):
            continue  # a folder's entries tell what it holds; an empty one is reported
        if kind == UNREADABLE:
            differences.append(Difference(name, "cannot be read"))  # what it holds is unknown
        else:
            what = "not in SHA256SUMS" if kind == "a file" else f"not in SHA256SUMS ({kind})"
            differences.append(Difference(name, what))
    return Verification(tuple(sorted(differences, key=lambda d: d.name)))


def _listing(path: Path) -> tuple[dict[str, str], list[Difference]]:
    """What SHA256SUMS lists, and its lines `sha256sum -c --strict` would refuse."""
    sums: dict[str, str] = {}
    problems = []
    for number, line in enumerate(_lines(path), start=1):
        entry = _parse_line(line)
        if entry is None:
            problems.append(Difference(SUMS, f"line {number} is not in sha256sum's format"))
        elif entry[0] in sums:
            name = printable(entry[0])
            problems.append(Difference(SUMS, f"line {number} lists {name!r} a second time"))
        else:
            sums[entry[0]] = entry[1]
    return sums, problems


def _listed(folder: Path, name: str, digest: str, kind: str | None) -> str:
    """How a file SHA256SUMS lists differs from what the copy holds ('' if it does not)."""
    if kind is None:
        return "missing"
    if kind != "a file":
        return f"{kind}, not a regular file"
    try:
        actual = _regular_hash(os.path.join(folder, name))
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if actual is None:
        return "no longer a regular file"  # replaced while verify ran
    return "" if actual == digest else "altered"


def _regular_hash(path: str) -> str | None:
    """The SHA-256 of a regular file, None if `path` is something else: opened without
    following a symlink or waiting for a FIFO's writer, and checked once open."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a symlink now
            return None
        raise
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        return hashlib.file_digest(file, "sha256").hexdigest()


def survey(folder: Path) -> dict[str, str]:
    """Every entry under `folder` ('/'-separated path -> 'a file', 'a folder', 'an empty
    folder', 'a symlink', 'a FIFO', ...), found without following any symlink."""
    found: dict[str, str] = {}
    waiting = [""]
    while waiting:
        rel = waiting.pop()
        try:
            with os.scandir(os.path.join(folder, rel)) as listing:
                entries = list(listing)
        except OSError:
            found[rel] = UNREADABLE
            continue
        if rel and not entries:
            found[rel] = "an empty folder"
        for entry in entries:
            name = f"{rel}/{entry.name}" if rel else entry.name
            try:
                found[name] = _kind(entry.stat(follow_symlinks=False).st_mode)
            except OSError:  # removed since it was listed: not there
                continue
            if found[name] == "a folder":
                waiting.append(name)
    return found


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISREG, "a file"), (stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symlink"),
        (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
    )  # fmt: skip
    return next((kind for test, kind in kinds if test(mode)), "a special file")


def _unlisted(name: str) -> bool:
    """SHA256SUMS itself, and sitegen's marker file, which no copy needs."""
    return name in (SUMS, MARKER_PATH)
