"""REST API of the knowledge base at /api/kb/ (the article path is fixed: /api/kb/articles/).

Everyone signed in reads what they may (end users: published public articles); agents also
write, publish, archive, and link articles to tickets. `?q=` searches (the portal's search).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from incidents import selectors as ticket_selectors
from incidents.models import ResolutionCode
from servicedesk.api_support import request_user, validated
from servicedesk.models import User

from . import selectors, services
from .models import LANGUAGES, Article, ArticleStatus, Audience, Category
from .render import render_markdown


class AgentsWrite(permissions.BasePermission):
    """Reading for everyone signed in; writing for service-desk staff."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(getattr(request.user, "is_agent", False))


class KbCategoryOutput(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["id", "name", "description"]


class KbArticleOutput(serializers.ModelSerializer[Article]):
    body_html = serializers.SerializerMethodField(help_text="The body rendered from Markdown and sanitised.")
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = Article
        fields = [
            "id", "category", "category_name", "title", "body", "body_html", "language", "translation_of",
            "status", "audience", "owner", "review_date", "view_count", "helpful_yes", "helpful_no",
            "created_at", "updated_at", "published_at",
        ]  # fmt: skip

    def get_body_html(self, article: Article) -> str:
        return str(render_markdown(article.body))


class KbArticleInput(serializers.Serializer[Any]):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=100_000)
    language = serializers.ChoiceField(choices=LANGUAGES, default="nb")
    audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.PUBLIC)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    review_date = serializers.DateField(required=False, allow_null=True)
    translation_of = serializers.PrimaryKeyRelatedField(
        queryset=Article.objects.all(), required=False, allow_null=True
    )


class KbArticleUpdateInput(KbArticleInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class KbStatusInput(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ArticleStatus.choices)


class KbLinkInput(serializers.Serializer[Any]):
    ticket = serializers.IntegerField(min_value=1)
    resolve = serializers.BooleanField(
        default=False, help_text="Resolve the ticket with this article (recorded as resolved with it)."
    )
    resolution_code = serializers.ChoiceField(choices=ResolutionCode.choices, required=False)
    resolution_note = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["resolve"] and not attrs.get("resolution_code"):
            raise serializers.ValidationError({"resolution_code": ["Choose a resolution code."]})
        return attrs


class KbLinkOutput(serializers.Serializer[Any]):
    ticket = serializers.IntegerField()
    article = serializers.IntegerField()
    resolved_with = serializers.BooleanField()


SEARCH = OpenApiParameter("q", OpenApiTypes.STR, description="Search words (Norwegian full-text search)")


@extend_schema_view(list=extend_schema(parameters=[SEARCH]))
class KbArticleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Article],
):
    """Knowledge-base articles. `?q=` searches and orders by relevance."""

    serializer_class = KbArticleOutput
    permission_classes = [permissions.IsAuthenticated, AgentsWrite]
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Article]:
        return (
            selectors.articles_for_api(request_user(self.request)).select_related("category").order_by("-id")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = request.query_params.get("q", "").strip()
        if not query:
            return super().list(request, *args, **kwargs)
        hits = selectors.search(request_user(request), query, limit=50)
        return Response(
            {
                "count": len(hits),
                "next": None,
                "previous": None,
                "results": KbArticleOutput([hit.article for hit in hits], many=True).data,
            }
        )

    @extend_schema(request=KbArticleInput, responses={201: KbArticleOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(KbArticleInput, request)
        article = services.article_create(actor=request_user(request), **data)
        return Response(KbArticleOutput(article).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=KbArticleUpdateInput, responses={200: KbArticleOutput})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        article = self.get_object()
        data = validated(KbArticleUpdateInput, request)
        article = services.article_update(article=article, actor=request_user(request), **data)
        return Response(KbArticleOutput(article).data)

    @extend_schema(request=KbArticleInput, responses={200: KbArticleOutput})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        article = self.get_object()
        data = validated(KbArticleInput, request)
        article = services.article_update(article=article, actor=request_user(request), **data)
        return Response(KbArticleOutput(article).data)

    @extend_schema(request=KbStatusInput, responses={200: KbArticleOutput})
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: str) -> Response:
        data = validated(KbStatusInput, request)
        article = services.article_set_status(
            article=self.get_object(), actor=request_user(request), status=data["status"]
        )
        return Response(KbArticleOutput(article).data)

    @extend_schema(request=KbLinkInput, responses={200: KbLinkOutput})
    @action(detail=True, methods=["post"])
    def link(self, request: Request, pk: str) -> Response:
        """Link the article to a ticket; with `resolve`, resolve the ticket with it."""
        user = request_user(request)
        data = validated(KbLinkInput, request)
        article = self.get_object()
        ticket = ticket_selectors.ticket_get_for_user(user, data["ticket"])
        if data["resolve"]:
            services.ticket_resolve_with_article(
                ticket=ticket,
                actor=user,
                article=article,
                code=data["resolution_code"],
                note=data.get("resolution_note") or article.title,
            )
        else:
            services.article_link_ticket(article=article, ticket=ticket, actor=user)
        link = article.ticket_links.get(ticket=ticket)
        return Response({"ticket": ticket.pk, "article": article.pk, "resolved_with": link.resolved_with})


class KbCategoryViewSet(viewsets.ReadOnlyModelViewSet[Category]):
    serializer_class = KbCategoryOutput
    filter_backends: list[Any] = []
    queryset = Category.objects.order_by("name")


def register(router: BaseRouter) -> None:
    router.register("kb/articles", KbArticleViewSet, basename="kb-article")
    router.register("kb/categories", KbCategoryViewSet, basename="kb-category")
