"""A paginator that stops counting: an exact COUNT(*) over a million matching rows costs more than
the page itself, and nobody pages past the first thousand. As large PostgreSQL-backed apps do,
count up to CAP rows; past that the page says "more than 1,000" and offers pages up to the cap."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet

CAP = 1000


class CappedPaginator(Paginator):
    """Counts a queryset without its order, or an ordered sequence's `countable` queryset (sla's
    TimeLeftOrder: the filtered tickets without the join its order needs), so that the count
    reads no more than the filter does."""

    def __init__(self, object_list: Any, per_page: int, cap: int | None = None, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = CAP if cap is None else cap
        self.count_from = getattr(object_list, "countable", object_list)

    @cached_property
    def _counted(self) -> int:
        """Rows counted, at most cap + 1 (one query: COUNT over a LIMIT subquery, unordered)."""
        if isinstance(self.count_from, QuerySet):
            return self.count_from.order_by()[: self.cap + 1].count()
        return len(self.count_from)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """Whether there are more rows than counted (the count is then a lower bound)."""
        return self._counted > self.cap


API_CAP = 10_000


class OpenEndedPaginator(CappedPaginator):
    """The API's paginator: the count stops at API_CAP, the pages do not. An integration that
    walks every page by its `next` link still reaches the last row; past the cap each page is
    read with one row more, to know whether another page follows."""

    def __init__(self, object_list: Any, per_page: int, **kwargs: Any) -> None:
        kwargs.setdefault("cap", API_CAP)
        super().__init__(object_list, per_page, **kwargs)

    def validate_number(self, number: Any) -> int:
        if not self.capped:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number: Any) -> Page:
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return OpenEndedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class OpenEndedPage(Page):
    def __init__(self, object_list: Any, number: int, paginator: Paginator, *, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more
