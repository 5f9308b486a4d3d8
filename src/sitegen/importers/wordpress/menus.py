"""WordPress navigation menus -> `menu:` entries for sitegen.yaml, as the import reports them.

A WordPress menu item points at a post or page (by id), at a category or tag archive, or at
any URL. sitegen's header menu is one level of links, so sub-items are left out (and said).
Links on the old site's address become paths, which its aliases keep answering.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sitegen import urls
from sitegen.config.settings import MenuLink
from sitegen.errors import shown
from sitegen.importers.wordpress.wxr import Item, Term


@dataclass(frozen=True)
class Menus:
    by_name: dict[str, list[MenuLink]]  # a WordPress menu's name -> its top-level links
    notes: list[str]  # items that could not become links, and why


def read_menus(
    items: Iterable[Item],
    imported: Mapping[int, tuple[str, str]],  # post id -> (title, new URL) of what was imported
    terms: Mapping[int, Term],  # term id -> category or tag
    old_site_path: Callable[[str], str | None],  # an old-site URL -> its path, else None
    categories_as_tags: bool,
) -> Menus:
    """Every menu of the export, items in the order the editor gave them."""
    by_name: dict[str, list[tuple[int, MenuLink]]] = {}
    notes: list[str] = []
    unsaved: dict[str, int] = {}
    for item in items:
        menu = next((t.name for t in item.terms if t.domain == "nav_menu"), "Menu")
        if item.status != "publish":  # added in the customizer, never saved: not on the site
            unsaved[menu] = unsaved.get(menu, 0) + 1
            continue
        described = f"menu {shown(menu)}, item {shown(item.title or f'#{item.post_id}')}"
        if item.meta.get("_menu_item_menu_item_parent", "0") not in ("", "0"):
            notes.append(f"{described}: a sub-item; the header menu has one level, so left out")
            continue
        link, why = _link(item, imported, terms, old_site_path, categories_as_tags)
        if link is None:
            notes.append(f"{described}: {why}")
            continue
        by_name.setdefault(menu, []).append((item.menu_order, link))
    menus = {
        name: [link for _, link in sorted(found, key=lambda x: x[0])]
        for name, found in by_name.items()
    }
    for name, count in sorted(unsaved.items()):
        notes.append(f"menu {shown(name)}: {count} unsaved (draft) items left out")
    return Menus(menus, notes)


def _link(
    item: Item,
    imported: Mapping[int, tuple[str, str]],
    terms: Mapping[int, Term],
    old_site_path: Callable[[str], str | None],
    categories_as_tags: bool,
) -> tuple[MenuLink | None, str]:
    kind = item.meta.get("_menu_item_type", "")
    target = int(item.meta.get("_menu_item_object_id", "0") or 0)
    if kind == "post_type":
        if target not in imported:
            return None, "points at a post or page that was not imported (private, draft, trashed)"
        title, url = imported[target]
        return MenuLink(item.title or title, url), ""
    if kind == "taxonomy":
        term = terms.get(target)
        if term is None:
            return None, "points at a category or tag the export does not define"
        if term.domain == "category" and not categories_as_tags:
            why = "sitegen has tag pages only (see --categories-as-tags)"
            return None, f"the archive of the category {shown(term.name)}: {why}"
        name = item.title or term.name
        return MenuLink(name, urls.tag_url(urls.slugify(term.name))), ""
    if kind == "custom":
        address = item.meta.get("_menu_item_url", "")
        path = old_site_path(address) if address else None
        if path is not None:
            return MenuLink(item.title or path, path), ""
        if address.startswith(("http://", "https://", "mailto:")):
            return MenuLink(item.title or address, address), ""
        return None, f"a link sitegen cannot use: {shown(address)}"
    return None, f"a kind of menu item sitegen does not know: {shown(kind)}"
