"""The last build's warnings, kept for the builds that report them again without making
them: one with nothing to do, and a word-only build (build.quick).

An archive of 50,000 articles whose images are missing has 100,000 warnings (18 MB as
printed). Kept as JSON rows in the build's summary, reading, checking and printing them
again was 0.3 s of a 0.8 s build with nothing to do. They are kept twice, compressed:
as printed (what such a build shows: 1 MB, unpacked in 30 ms) and as rows (what
`sitegen serve` and `check` make Problems from, unpacked only then).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sitegen.cache.store import BuildCache
from sitegen.errors import Problem

TEXT, ROWS = "last_warnings_text", "last_warnings_rows"  # the cache's meta keys


@dataclass(frozen=True)
class StoredProblems:
    """Remembered warnings: their text as printed, their rows packed until asked for."""

    count: int
    printed: bytes  # str(Problem), one a line, in UTF-8
    packed: bytes  # zlib of the JSON rows: [path, line, message, severity]

    def __len__(self) -> int:
        return self.count

    def paths(self) -> set[str]:
        """The files warned about."""
        return {str(problem.location.path) for problem in self.decoded()}

    def decoded(self) -> tuple[Problem, ...]:
        """ValueError or TypeError if the rows are not as `pack_warnings` wrote them (the
        cache is input; but their checksum matched when read: only a forged cache fails)."""
        try:
            rows = json.loads(zlib.decompress(self.packed))
        except zlib.error as exc:
            raise ValueError(f"stored warnings: {exc}") from None
        if type(rows) is not list or len(rows) != self.count:
            raise ValueError("stored warnings of another length")
        from sitegen.cache.codec import decode_problems  # noqa: PLC0415 - see pack_warnings

        return tuple(decode_problems(rows))


def pack_warnings(problems: Sequence[Problem]) -> tuple[bytes, bytes]:
    """What `read_warnings` reads back: the text as printed, and the rows, each packed a
    thousand problems at a time (the main process is a cold build's largest, and this is
    near its peak: 100,000 warnings were 70 MB of strings at once). (The codec is imported
    here, not above: with the model, 11 ms of a build with nothing to do.)"""
    from sitegen.cache.codec import encode_problems  # noqa: PLC0415

    text, rows = zlib.compressobj(1), zlib.compressobj(1)
    packed_text, packed_rows = [], [rows.compress(b"[")]
    for start in range(0, len(problems), _CHUNK):
        chunk = problems[start : start + _CHUNK]
        between = b"\n" if start else b""
        packed_text.append(text.compress(between + printed(chunk)))
        encoded = json.dumps(encode_problems(chunk))[1:-1]  # the rows, without [ ]
        packed_rows.append(rows.compress((b"," if start else b"") + encoded.encode()))
    packed_rows.append(rows.compress(b"]"))
    return b"".join([*packed_text, text.flush()]), b"".join([*packed_rows, rows.flush()])


_CHUNK = 1000


def printed(problems: Sequence[Problem]) -> bytes:
    """The problems as printed, one a line, in UTF-8 (a lone surrogate, from a file name
    that is not UTF-8, as Python's stderr writes it: backslashed)."""
    return "\n".join(map(str, problems)).encode("utf-8", "backslashreplace")


def kept_warnings(problems: Sequence[Problem]) -> tuple[dict[str, int], dict[str, bytes]]:
    """What the build's summary holds of these warnings (`read_warnings` checks them),
    and the blobs kept beside it in the cache's meta table."""
    text, rows = pack_warnings(problems)
    return {"warnings": len(problems), "checksum": checksum(rows)}, {TEXT: text, ROWS: rows}


def checksum(packed: bytes) -> int:
    """Of the packed rows, kept in the build's summary: checked when they are read."""
    return zlib.crc32(packed)


def read_warnings(cache: BuildCache, summary: Mapping[str, object]) -> StoredProblems:
    """The warnings the last build kept (`kept_warnings`: their count and checksum are in
    its summary); ValueError or KeyError if they are missing or damaged, for the caller
    to build after all."""
    count, crc = summary["warnings"], summary["checksum"]
    text, packed = cache.get_meta_bytes(TEXT), cache.get_meta_bytes(ROWS)
    if type(count) is not int or text is None or packed is None or checksum(packed) != crc:
        raise ValueError("stored warnings missing or damaged")
    try:  # (zlib checks what it unpacks: damaged bytes fail here)
        printed = zlib.decompress(text)
    except zlib.error as exc:
        raise ValueError(f"stored warnings: {exc}") from None
    return StoredProblems(count, printed, packed)
