"""API plumbing shared by every endpoint: errors, parsing limits, ordering, pagination."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import RequestDataTooBig
from django.db.models import QuerySet
from rest_framework import exceptions, pagination, serializers
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
from .paging import API_CAP, CappedPaginator, OpenEndedPaginator
from .parsers import PayloadTooLarge

if TYPE_CHECKING:
    from .models import User


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map domain errors to HTTP; everything else as DRF does."""
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body[exc.field] = [exc.message]
        return Response(body, status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    return drf_exception_handler(exc, context)


class StrictOrderingFilter(OrderingFilter):
    """Ordering by allow-listed fields only; an unknown field is a 400, not silently ignored."""

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",") if param.strip()]
            allowed = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
            bad = [f for f in fields if f.lstrip("-") not in allowed]
            if bad:
                raise exceptions.ValidationError(
                    {
                        self.ordering_param: [
                            f"Unknown ordering field: {', '.join(bad)}. "
                            f"Allowed: {', '.join(sorted(allowed))}."
                        ]
                    }
                )
            return [*fields, "-id"] if "id" not in {f.lstrip("-") for f in fields} else fields
        return self.get_default_ordering(view)


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of 25 (up to 200). `count` is exact up to 10,000 rows; past that it says 10,000 and
    `count_capped` is true (an exact count of a million rows costs more than the page), while
    `next` goes on to the last row."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = OpenEndedPaginator

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None  # noqa: S101 - paginate_queryset has run
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_capped": isinstance(paginator, CappedPaginator) and paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        response["properties"] = {
            "count": {
                **response["properties"]["count"],
                "description": f"Matching rows, counted up to {API_CAP:,}; see count_capped.",
            },
            "count_capped": {
                "type": "boolean",
                "description": f"True when more than {API_CAP:,} rows match: count is then a lower "
                "bound, and `next` still leads through every page.",
            },
            **{key: value for key, value in response["properties"].items() if key != "count"},
        }
        response["required"] = ["count", "count_capped", "results"]
        return response


def request_user(request: Request) -> User:
    """The signed-in user of an API request (the view's permission classes have run)."""
    return cast("User", request.user)


def validated(
    serializer_class: type[BaseSerializer[Any]], request: Request, *, partial: bool = False
) -> dict[str, Any]:
    """The request body validated by an input serializer; a 400 with field messages otherwise.

    Every API input goes through here. The request is in the context: references are checked
    against what its user may see. (Text that cannot be stored, such as a lone surrogate, was
    already refused when the body was parsed: servicedesk/parsers.py.)
    """
    serializer = serializer_class(data=request.data, partial=partial, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


NOT_FOUND_MESSAGE = 'Not found: "{pk_value}".'


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A reference by id to a row the requesting user may see.

    `visible(user)` gives the rows that user may name; anything else, whether it exists or not,
    is refused with the same "not found" (ids cannot be probed). `queryset` is the whole set, for
    the schema. Needs the request in the serializer's context (validated() passes it).
    """

    default_error_messages = {"does_not_exist": NOT_FOUND_MESSAGE}

    def __init__(self, *, visible: Callable[[Any], QuerySet[Any]], **kwargs: Any) -> None:
        self.visible = visible
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:
            raise exceptions.NotAuthenticated()
        return self.visible(user)  # nothing for an anonymous user: the selectors say so
