"""Where templates and static files come from: the site's own, over the default theme's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sitegen.content.manifest import walk_folders
from sitegen.content.symlinks import is_text, link_problem, root_problem

THEME_STATIC = "css"  # the default theme contributes static/css/** and nothing else


@dataclass(frozen=True)
class Theme:
    """Template folders in lookup order, and static folders copied in order (later wins)."""

    template_dirs: tuple[Path, ...]
    static_dirs: tuple[tuple[Path, str], ...]  # (folder, output prefix)

    @property
    def folders(self) -> list[Path]:
        """Every folder the theme reads, templates and static files."""
        return [*self.template_dirs, *(folder for folder, _ in self.static_dirs)]


def default_theme_dir() -> Path:
    """The packaged theme in an installed wheel; the repository root in a source checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "theme"
    if (packaged / "templates").is_dir():
        return packaged
    return package.parents[1]


def resolve_theme(site_dir: Path, default_dir: Path | None = None) -> Theme:
    """A site's templates/ and static/ override the default theme file by file. A site
    folder that is a link out of the site, or nowhere, is left out (the build reports it)."""
    default_dir = default_dir or default_theme_dir()
    templates, static = (
        [] if root_problem(site_dir, name) else [site_dir / name]
        for name in ("templates", "static")
    )
    template_dirs = [*templates, default_dir / "templates"]
    static_dirs = [(default_dir / "static" / THEME_STATIC, THEME_STATIC)]
    static_dirs += [(folder, "") for folder in static]
    return Theme(
        template_dirs=tuple(dict.fromkeys(d for d in template_dirs if d.is_dir())),
        static_dirs=tuple(dict.fromkeys((d, prefix) for d, prefix in static_dirs if d.is_dir())),
    )


def collect_static(theme: Theme) -> dict[str, Path]:
    """Output path -> source file for every static file; the site's own file wins."""
    files: dict[str, Path] = {}
    for folder, prefix in theme.static_dirs:
        found = (Path(root, name) for root, names in walk_folders(str(folder)) for name in names)
        for path in sorted(found):  # as rglob("*"), without its recursion (deep folders)
            rel = path.relative_to(folder)
            if (
                path.is_file()
                and not any(part.startswith(".") for part in rel.parts)
                and is_text(str(rel))  # not UTF-8: the build reports it
                and link_problem(path, folder.parent) is None  # the build reports those
            ):
                files[(Path(prefix) / rel).as_posix()] = path
    return files
