"""The page plan -> every "two things want one URL" problem: two pages at one address,
an old address (alias) another output holds, two files that differ only in case, a file
where another file's folder must go, and a name sitegen writes itself (SHA256SUMS,
.sitegen-*). Each names the input to change."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePosixPath
from typing import NamedTuple

from sitegen import urls
from sitegen.errors import Location, Problem, error, shown
from sitegen.model import Site
from sitegen.render.outputs import Output, every_path
from sitegen.render.pages import PageSpec
from sitegen.render.redirects import old_addresses


def blocking_clashes(
    site: Site, pages: Sequence[PageSpec], plan: list[Output]
) -> tuple[list[Problem], list[Output]]:
    """The clashes that stop files from being made at all, and the plan without those
    files: no redirect when an alias clashes (the build fails anyway), none of the files
    where a folder must go (neither could be written), none that takes a name sitegen
    writes itself (it would be overwritten, or break the build's bookkeeping)."""
    clashes, plan = reserved_clashes(site, pages, plan)
    clashes += alias_clashes(site, pages, plan)
    if clashes:
        plan = [o for o in plan if o.kind != "redirect"]  # (a folder where a file is)
    blocked, in_the_way = folder_clashes(plan, pages)
    if blocked:
        clashes += blocked
        plan = [o for o in plan if o.path not in in_the_way]
    return clashes, plan


def reserved_clashes(
    site: Site, pages: Sequence[PageSpec], plan: list[Output]
) -> tuple[list[Problem], list[Output]]:
    """Static files, pages and aliases that take a name sitegen writes into the output
    itself (`urls.sitegen_name`), and the plan without them."""
    taken = {output.path: name for output in plan if (name := urls.sitegen_name(output.path))}
    sources = {spec.output_path: spec.source for spec in pages} if taken else {}
    problems = []
    for output in plan:
        if output.path not in taken or output.kind == "redirect":  # aliases: below
            continue
        message = _takes(taken[output.path])
        if output.kind == "static":
            where = Location(PurePosixPath("static", output.path))
            problems.append(error(where, f"{message}; rename it"))
        else:
            where = sources.get(output.path) or Location(PurePosixPath("sitegen.yaml"))
            page = _url(output.path)
            problems.append(error(where, f"URL {shown(page)} {message}; choose another 'slug'"))
    for old in old_addresses(site):
        for alias in dict.fromkeys(old.aliases):
            address = urls.alias_url(alias)
            if address is not None and (own := urls.sitegen_name(urls.output_path(address))):
                where = old.where
                problems.append(error(where, f"{old.key}: {shown(alias)} {_takes(own)}; remove it"))
    return problems, [output for output in plan if output.path not in taken] if taken else plan


def _takes(name: str) -> str:
    if name.casefold() == urls.SUMS_PATH.casefold():
        return f"takes the name {shown(name)}, which sitegen keeps for its checksum file"
    return (
        f"takes the name {shown(name)}, which sitegen keeps for its own files "
        f"(names with {urls.OWN_PREFIX!r})"
    )


def page_clashes(specs: Iterable[PageSpec]) -> list[Problem]:
    """Two pages at one URL would overwrite each other: name the article to move."""
    owners: dict[str, PageSpec] = {}
    problems = []
    for spec in specs:
        first = owners.setdefault(spec.output_path, spec)
        if first is not spec:
            problems.append(_page_clash(spec, first))
    return problems


def _page_clash(spec: PageSpec, first: PageSpec) -> Problem:
    """Two pages want one URL; blame the article, since generated pages cannot move."""
    blamed, other = (first, spec) if first.source and not spec.source else (spec, first)
    where = blamed.source or Location(PurePosixPath("sitegen.yaml"))
    return error(
        where, f"URL {shown(spec.url)} is also used by {other.owner}; choose another 'slug'"
    )


class _Holder(NamedTuple):
    """What holds an address already, for the message about a second claim on it."""

    key: str  # the output path, or for an address with a query the address
    url: str  # as the holder wrote it
    what: str  # "the URL of the tags page", "an alias of content/b.md:4"
    source: Location | None = None  # the article whose own page it is


def alias_clashes(site: Site, pages: Iterable[PageSpec], plan: Iterable[Output]) -> list[Problem]:
    """Old addresses another output holds already: a page, feed or static file, another
    alias, the same path but for case (the two overwrite each other on macOS, Windows and
    many hosts, and nginx refuses such a map), or a folder where a file is."""
    addresses = old_addresses(site)
    if not addresses:
        return []
    owners = {spec.output_path: (spec.owner, spec.source) for spec in pages}
    files: dict[str, _Holder] = {}
    for output in plan:
        if output.kind != "redirect":
            owner, source = owners.get(output.path, (_describe(output), None))
            holder = _Holder(output.path, _url(output.path), f"the URL of {owner}", source)
            files[output.path.casefold()] = holder
    folders = {folder: holder for path, holder in files.items() for folder in folders_of(path)}
    requests: dict[str, _Holder] = {}  # old addresses with a query, as nginx compares them
    problems = []
    for old in addresses:
        where = old.where
        taken: set[str] = set()  # '/a' and '/a/' of one article share one page
        for alias in old.aliases:
            url = urls.alias_url(alias)
            key = urls.alias_request(alias) if url is None else urls.output_path(url)
            if key in taken:
                continue
            taken.add(key)
            if url is None:
                problem = _alias_clash(alias, key, requests, {}, old.source)
            else:
                problem = _alias_clash(alias, key, files, folders, old.source)
            if problem:
                problems.append(error(where, f"{old.key}: {problem}"))
                continue
            owner = f"an alias of {where}" if old.source else f"a redirect of {where}"
            mine = _Holder(key, alias, owner)
            if url is None:
                requests[key.casefold()] = mine
            else:
                files[key.casefold()] = mine
                folders.update((folder, mine) for folder in folders_of(key.casefold()))
    return problems


def _alias_clash(
    alias: str,
    key: str,
    claims: dict[str, _Holder],
    folders: dict[str, _Holder],
    source: Location | None,
) -> str:
    """What holds `key` (an output path, or an address with a query) already, as a message."""
    if holder := claims.get(key.casefold()):
        if source is not None and holder.source == source and holder.key == key:
            return f"{shown(alias)} is the URL of this article itself; remove it"
        if holder.key == key:
            return f"{shown(alias)} is also {holder.what}; remove it"
        url = shown(holder.url)
        return f"{shown(alias)} differs only in case from {url}, {holder.what}; remove it"
    if holder := folders.get(key.casefold()):
        where = _url(key) + "/"
        return (
            f"{shown(alias)} needs a file where the site has the folder {shown(where)} "
            f"(for {shown(holder.url)}, {holder.what}); remove it"
        )
    for folder in folders_of(key.casefold()) if folders else ():
        if holder := claims.get(folder):
            where = f"needs a folder where {shown(holder.url)} is a file"
            return f"{shown(alias)} {where}, {holder.what}; remove it"
    return ""


def folders_of(path: str) -> Iterator[str]:
    """'a/b/index.html' -> 'a', 'a/b' (the folders a file needs)."""
    parts = path.split("/")
    for end in range(1, len(parts)):
        yield "/".join(parts[:end])


def _url(path: str) -> str:
    return "/" + path.removesuffix("index.html")


def _describe(output: Output) -> str:
    if output.kind == "static":
        return f"static/{output.path}"
    return f"the generated file {_path(output)}"


def _path(output: Output) -> str:
    """An output path as messages quote it: a static file's whole (it names the file to
    rename), a generated one's cut short (it comes from a slug, alias or tag)."""
    return repr(output.path) if output.kind == "static" else shown(output.path)


def static_clashes(plan: Sequence[Output]) -> list[Problem]:
    """Two files whose paths differ at most in case would overwrite each other on macOS
    and Windows checkouts and on many hosts; a static file is the one that can move."""
    paths = every_path(plan)
    if len({path.casefold() for path in paths}) == len(paths):
        return []  # (no two alike: found without an output for each image size)
    first: dict[str, Output] = {}
    problems = []
    files = [part for output in plan for part in output.parts()]
    for output in sorted(files, key=lambda o: o.kind == "static"):  # generated files first
        other = first.setdefault(output.path.casefold(), output)
        if other is output:
            continue
        if output.kind != "static" or other.kind == "redirect":  # page_clashes, alias_clashes
            continue
        what = "a generated file" if other.kind != "static" else f"static/{other.path}"
        path = (
            "the path" if other.path == output.path else f"the path (but for case) {_path(other)}"
        )
        problems.append(
            error(
                Location(PurePosixPath("static", output.path)), f"has {path} of {what}; rename it"
            )
        )
    return problems


def folder_clashes(plan: list[Output], pages: Sequence[PageSpec]) -> tuple[list[Problem], set[str]]:
    """Files where another file's folder must go (a static file `about` and an article at
    /about/, say): neither could be written. Returns the problems and those files' paths."""
    if not _any_in_the_way(set(every_path(plan))):
        return [], set()  # (looked for cheaply first: every build asks, few have one)
    plan = [part for output in plan for part in output.parts()]  # an image's sizes too
    inside: dict[str, Output] = {}  # folder -> a file that needs it
    for output in plan:
        for folder in folders_of(output.path):
            inside.setdefault(folder, output)
    sources = {spec.output_path: spec.source for spec in pages}
    problems, in_the_way = [], set()
    for output in plan:
        needing = inside.get(output.path)
        if needing is None:
            continue
        in_the_way.add(output.path)
        if output.kind == "static":
            where = Location(PurePosixPath("static", output.path))
            message = f"is a file where the folder of {_path(needing)} goes; rename it"
        else:
            if needing.kind == "static":
                where = Location(PurePosixPath("static", needing.path))
            else:
                where = sources.get(needing.path) or Location(PurePosixPath("sitegen.yaml"))
            message = f"{_path(needing)} needs a folder where {_path(output)} goes; move it"
        problems.append(error(where, message))
    return problems, in_the_way


def _any_in_the_way(paths: set[str]) -> bool:
    """Whether any of `paths` is a folder of another: 'about' and 'about/index.html'."""
    for path in paths:
        end = path.rfind("/")
        while end > 0:
            if path[:end] in paths:
                return True
            end = path.rfind("/", 0, end)
    return False
