"""Page numbers without an exact COUNT over a million rows.

``CappedPaginator`` counts at most ``COUNT_CAP + 1`` rows (``SELECT COUNT(*)
FROM (... LIMIT 1001)``), so the count costs the same for 1,001 matches as
for a million. Past the cap it reports ``count == COUNT_CAP`` with
``count_is_exact`` false: the pages say "more than 1,000" and page numbers
stop at the cap; deeper rows are reached by narrowing the filters or, on the
API, by ``?cursor=`` keyset pages.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator

COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """``rows``, when given, turns a page's slice into what the page holds
    (``ideas.selectors.idea_rows``: plain rows with joined columns) while
    the count runs on the bare queryset, without those joins."""

    cap = COUNT_CAP

    def __init__(self, object_list: Any, per_page: int, *args: Any, rows: Any = None, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        self.rows = rows

    def page(self, number: Any) -> Page:
        page = super().page(number)
        if self.rows:
            page.object_list = self.rows(page.object_list)
        return page

    @cached_property
    def _capped(self) -> int:
        object_list: Any = self.object_list
        if hasattr(object_list, "query"):
            # Any cap + 1 rows count the same: no ordering, no columns, so
            # PostgreSQL may walk whichever index is cheapest.
            return int(object_list.values("pk").order_by()[: self.cap + 1].count())
        return min(len(object_list), self.cap + 1)

    @cached_property
    def count(self) -> int:
        return min(self._capped, self.cap)

    @property
    def count_is_exact(self) -> bool:
        return self._capped <= self.cap
