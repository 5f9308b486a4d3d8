"""The `sitegen` command: parses arguments, runs a stage, prints problems. Exit 0/1/2."""

from __future__ import annotations

import logging
import signal
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from sitegen import __version__
from sitegen.commands.ci import CI_KINDS
from sitegen.errors import SitegenError, echo_problems
from sitegen.runtime.collector import tune_collector
from sitegen.runtime.exit import fast_exit

T = TypeVar("T")
SITE_DIR = click.Path(file_okay=False, path_type=Path)  # may be made (init, -o, import)
SITE = click.Path(exists=True, file_okay=False, path_type=Path)  # a site that must be there


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="sitegen")
@click.option(
    "--debug", is_flag=True, help="Say why a build did what it did; a traceback if sitegen fails."
)
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """sitegen builds a static news archive from Markdown articles."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("site_dir", type=SITE, default=".")
@click.option("-o", "--output", type=SITE_DIR, help="Output directory [default: SITE_DIR/build].")
@click.option("--drafts", is_flag=True, help="Include articles marked 'draft: true'.")
@click.option("--future", is_flag=True, help="Include articles dated in the future.")
@click.option(
    "--strict",
    is_flag=True,
    help="Make unknown front matter keys, a missing base_url and removed raw HTML errors.",
)
@click.option("--no-cache", is_flag=True, help="Ignore .sitegen-cache/ and rebuild everything.")
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 256), help="Processes to use [default: all cores]."
)
@click.option("--stats", is_flag=True, help="Print counts, cache use and time per stage.")
@click.option(
    "--search", is_flag=True, help="Make the search index and page (as 'search: true' does)."
)
@click.option(
    "--relative-urls",
    is_flag=True,
    help="Make internal links relative to each page (as 'relative_urls: true' does).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.pass_context
def build(
    ctx: click.Context,
    site_dir: Path,
    output: Path | None,
    drafts: bool,
    future: bool,
    strict: bool,
    no_cache: bool,
    jobs: int | None,
    stats: bool,
    search: bool,
    relative_urls: bool,
    quiet: bool,
) -> None:
    """Build the site in SITE_DIR (default: the current directory)."""
    from sitegen.build import build as run_build

    _configure_logging(quiet, ctx.obj["debug"])
    report = _guarded(
        ctx,
        lambda: run_build(
            site_dir,
            output,
            include_drafts=drafts,
            include_future=future,
            strict=strict,
            use_cache=not no_cache,
            jobs=jobs,
            search=search or None,  # without the flag: as sitegen.yaml says
            relative_urls=relative_urls,
        ),
    )
    if not quiet:
        if warnings := report.printed_warnings():
            click.echo(warnings, err=True)  # (in one write, as echo_problems)
        click.echo(
            f"built {_count(report.articles, 'article')}: {_count(report.pages, 'page')} and "
            f"{_count(report.static_files, 'static file')} in {report.output_dir}"
        )
    if stats:
        from sitegen.commands.stats import build_stats

        click.echo(build_stats(report))


@cli.command()
@click.argument("site_dir", type=SITE, default=".")
@click.option("--drafts", is_flag=True, help="Also check articles marked 'draft: true'.")
@click.option("--future", is_flag=True, help="Also check articles dated in the future.")
@click.option(
    "--strict",
    is_flag=True,
    help="Make unknown front matter keys, a missing base_url and removed raw HTML errors.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.pass_context
def check(
    ctx: click.Context, site_dir: Path, drafts: bool, future: bool, strict: bool, quiet: bool
) -> None:
    """Check SITE_DIR: content, config, and every link and image in the built pages.

    Writes nothing to the build output. Exit status 1 when there are errors.
    """
    from sitegen.check.checks import check_site

    _configure_logging(quiet, ctx.obj["debug"])
    report = _guarded(
        ctx,
        lambda: check_site(site_dir, include_drafts=drafts, include_future=future, strict=strict),
    )
    echo_problems(p for p in report.problems if p.is_error or not quiet)
    warnings = len(report.problems) - report.errors
    summary = (
        f"checked {_count(report.articles, 'article')} and {_count(report.pages, 'page')}: "
        f"{_count(report.errors, 'error')}, {_count(warnings, 'warning')}"
    )
    if report.errors:
        raise click.ClickException(summary)
    if not quiet:
        click.echo(summary)


@cli.command()
@click.argument("title")
@click.option(
    "-s",
    "--site",
    "site_dir",
    type=SITE,
    default=".",
    show_default=True,
    help="The site folder.",
)
@click.option("--tags", default="", help='Comma-separated tags: --tags "Women\'s Rights, Kraków".')
@click.option("--byline", default="", help="Author [default: the site's default_byline].")
@click.option("--image", default="", help="Lead image under static/, e.g. /images/rally.jpg.")
@click.pass_context
def new(ctx: click.Context, title: str, site_dir: Path, tags: str, byline: str, image: str) -> None:
    """Write a new article, content/<slug of TITLE>.md, dated today; print its path."""
    from sitegen.commands.scaffold import new_article

    names = [name.strip() for name in tags.split(",") if name.strip()]
    path = _guarded(
        ctx, lambda: new_article(site_dir, title, tags=names, byline=byline, image=image)
    )
    click.echo(str(path))


@cli.command()
@click.argument("site_dir", type=SITE_DIR)
@click.option("--title", default="News Archive", show_default=True, help="The site's name.")
@click.option("--with-theme", is_flag=True, help="Also copy the default theme, to customise it.")
@click.option(
    "--base-url",
    help="The address the site is published at, e.g. https://example.org/ (asked on a terminal).",
)
@click.option("--ci", type=click.Choice(CI_KINDS), help="Also write a CI workflow that publishes.")
@click.pass_context
def init(ctx: click.Context, /, site_dir: Path, title: str, with_theme: bool, **more: Any) -> None:
    """Create a new site in SITE_DIR (which must be missing or empty), or add a --ci recipe
    to the site there."""
    import datetime as dt

    from sitegen.commands.scaffold import ask_base_url, init_report, init_site

    is_new = not (site_dir / "sitegen.yaml").is_file()  # else --ci adds to an existing site
    base_url = ask_base_url(more["base_url"], ask=is_new and _is_terminal())  # never in CI
    today = dt.datetime.now(dt.UTC).date()
    made = _guarded(
        ctx,
        lambda: init_site(
            site_dir, title=title, with_theme=with_theme, today=today, base_url=base_url,
            ci=more["ci"],
        ),
    )  # fmt: skip
    report = init_report(site_dir, made, is_new=is_new, base_url=base_url, ci=more["ci"])
    for line, to_stderr in report:
        click.echo(line, err=to_stderr)


@cli.command()
@click.argument("site_dir", type=SITE, default=".")
@click.option(
    "-o", "--output", type=SITE_DIR, help="Also remove this build output [default: SITE_DIR/build]."
)
def clean(site_dir: Path, output: Path | None) -> None:
    """Remove the build cache (.sitegen-cache/) and the build output of SITE_DIR, with the
    previous output kept beside it (.build.spare/)."""
    from sitegen.commands.clean import clean_site

    removed = clean_site(site_dir, output or site_dir / "build")
    click.echo(f"removed {', '.join(removed)}" if removed else "nothing to remove")


@cli.command()
@click.argument("site_dir", type=SITE, default=".")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (the next free one if taken).",
)
@click.option("--drafts", is_flag=True, help="Show articles marked 'draft: true'.")
@click.option("--future", is_flag=True, help="Show articles dated in the future.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@click.option(
    "--search", is_flag=True, help="Make the search index too (off in the preview: it is slow)."
)
@click.pass_context
def serve(
    ctx: click.Context,
    site_dir: Path,
    host: str,
    port: int,
    drafts: bool,
    future: bool,
    open_browser: bool,
    search: bool,
) -> None:
    """Preview SITE_DIR on a local web server, rebuilding and reloading as files change."""
    from sitegen.serve.preview import Preview, PreviewOptions

    tune_collector(serving=True)

    options = PreviewOptions(host, port, drafts, future, open_browser, search)
    try:
        preview = Preview(site_dir, options, report=lambda line: click.echo(line, err=True))
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from exc
    # watchdog logs or warns harmlessly when stopped with events queued, or when a watched
    # folder gains subfolders quickly; editors need not see either
    logging.getLogger("watchdog").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", "Callback with id", RuntimeWarning)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops as cleanly as Ctrl-C
    try:
        _guarded(ctx, preview.run)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@cli.command()
@click.argument("site_dir", type=SITE, default=".")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The zip to write [default: SITE_DIR/<folder name>.zip].",
)
@click.option("--drafts", is_flag=True, help="Include articles marked 'draft: true'.")
@click.pass_context
def bundle(ctx: click.Context, site_dir: Path, output: Path | None, drafts: bool) -> None:
    """Write an offline copy of SITE_DIR as a zip that opens from disk, with no server."""
    from sitegen.commands.bundle import make_bundle

    target = output or site_dir / f"{site_dir.resolve().name}.zip"
    report = _guarded(ctx, lambda: make_bundle(site_dir, target, include_drafts=drafts))
    size = (
        f"{report.size / 1_000_000:.1f} MB" if report.size >= 100_000 else f"{report.size:,} bytes"
    )
    click.echo(f"wrote {report.path}: {_count(report.files, 'file')}, {size}")


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
def verify(folder: Path) -> None:
    """Check a copy of a built site against its SHA256SUMS: missing, altered, added entries."""
    from sitegen.publish.integrity import SUMS, printable
    from sitegen.publish.integrity import verify as verify_copy

    if not (folder / SUMS).is_file():
        raise click.ClickException(f"{folder / SUMS}: not found; is this a site built by sitegen?")
    result = verify_copy(folder)
    for difference in result.differences:
        click.echo(f"{printable(str(folder / difference.name))}: {difference.what}", err=True)
    if not result.ok:
        count = _count(len(result.differences), "file")
        raise click.ClickException(f"{folder}: {count} differ from {SUMS}")
    click.echo(f"{folder}: every file matches {SUMS}")


@cli.group("import")
def import_() -> None:
    """Bring an archive from another system into a sitegen site."""


@import_.command()
@click.argument("export", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("site_dir", type=SITE_DIR, default=".")
@click.option(
    "--uploads",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A copy of wp-content/uploads: referenced files are copied into static/.",
)
@click.option(
    "--download-media",
    is_flag=True,
    help="Fetch the old site's uploads that --uploads does not provide into static/.",
)
@click.option(
    "--remote-media", is_flag=True, help="Also fetch images on other hosts (static/media/)."
)
@click.option("--categories-as-tags", is_flag=True, help="Make categories tags too.")
@click.option("--force", is_flag=True, help="Replace files that exist already.")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.pass_context
def wordpress(ctx: click.Context, /, export: Path, site_dir: Path, **flags: Any) -> None:
    """Import a WordPress export (Tools -> Export, an .xml file) into SITE_DIR/content/."""
    from sitegen.commands.wpimport import missing_library, wordpress_import

    if problem := missing_library():
        raise click.ClickException(problem)
    try:
        _guarded(ctx, lambda: wordpress_import(export, site_dir, **flags))
    except SitegenError as exc:  # the problems, then "import failed": nothing was built
        raise SitegenError(exc.problems, "import failed") from exc


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _is_terminal() -> bool:
    return sys.stdin.isatty()


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _configure_logging(quiet: bool, debug: bool = False) -> None:
    """Progress lines go to a terminal only; CI logs and pipes stay clean. With --debug,
    also the reasons sitegen logs for its choices (why a build was a full one)."""
    logger = logging.getLogger("sitegen")
    level = logging.INFO if sys.stderr.isatty() and not quiet else logging.WARNING
    logger.setLevel(logging.DEBUG if debug else level)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("… %(message)s"))
        logger.addHandler(handler)


def _guarded(ctx: click.Context, action: Callable[[], T]) -> T:
    """Run `action`; sitegen's own errors print as problems, anything else without a traceback."""
    try:
        return action()
    except SitegenError:
        raise
    except Exception as exc:
        raise _internal_error(ctx, exc) from exc


def _internal_error(ctx: click.Context, exc: Exception) -> click.ClickException:
    """A bug in sitegen: one line for the user, the traceback only with --debug."""
    if ctx.obj["debug"]:
        raise exc
    return click.ClickException(
        f"internal error: {type(exc).__name__}: {exc}; rerun with --debug and report it"
    )


def main() -> None:
    tune_collector()
    try:
        cli(prog_name="sitegen")  # click ends every command with SystemExit
    except SystemExit as done:
        fast_exit(done.code)
