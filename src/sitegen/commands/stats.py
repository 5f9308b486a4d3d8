"""BuildReport -> the lines `sitegen build --stats` prints."""

from __future__ import annotations

from sitegen.build import BuildReport
from sitegen.runtime.speedups import speedup_notices


def build_stats(report: BuildReport) -> str:
    """What a build did: articles parsed and cached, files written and removed, time per stage."""
    if not report.seconds:
        return "nothing changed since the last build: no file read, made or written"
    stages = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in report.seconds.items())
    cached = report.articles - report.parsed if report.parsed <= report.articles else 0
    engine = report.site.config.markdown_engine if report.site else "markdown"
    return "\n".join(
        [
            f"articles: {report.parsed} parsed, {cached} from cache; files: {report.written} "
            f"written, {report.removed} removed; time: {stages}",
            *speedup_notices(engine),  # a library's speed-ups off: the plain path, slower
        ]
    )
