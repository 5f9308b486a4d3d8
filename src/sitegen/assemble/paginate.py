"""A sequence of articles -> the pages of a listing, each knowing its neighbours' URLs."""

from __future__ import annotations

from collections.abc import Sequence

from sitegen import urls
from sitegen.model import Article, ListingPage


def paginate(
    items: Sequence[Article], per_page: int, first_url: str = "/"
) -> tuple[ListingPage, ...]:
    """Split `items` into pages of `per_page`; an empty listing still has page 1."""
    total = max(1, -(-len(items) // per_page))
    page_urls = tuple(urls.listing_url(n, first_url) for n in range(1, total + 1))
    return tuple(
        ListingPage(
            number=number,
            total=total,
            items=tuple(items[(number - 1) * per_page : number * per_page]),
            url=page_urls[number - 1],
            output_path=urls.output_path(page_urls[number - 1]),
            prev_url=page_urls[number - 2] if number > 1 else None,
            next_url=page_urls[number] if number < total else None,
            page_urls=page_urls,
        )
        for number in range(1, total + 1)
    )


def page_window(page: ListingPage, radius: int = 2) -> list[tuple[int, str] | None]:
    """Numbered links for a pager: first, last and `radius` around the current page;
    None marks a gap ("…"), so 500 pages never print 500 links."""
    shown = {1, page.total} | set(range(page.number - radius, page.number + radius + 1))
    window: list[tuple[int, str] | None] = []
    for number in sorted(n for n in shown if 1 <= n <= page.total):
        if window and window[-1] is not None and number - window[-1][0] > 1:
            window.append(None)
        window.append((number, page.page_urls[number - 1]))
    return window
