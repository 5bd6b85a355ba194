"""Self-service portal routes, mounted at /portal/."""

from __future__ import annotations

from django.urls import URLPattern, path, re_path

from . import ordering, views

app_name = "portal"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("articles/<int:pk>/", views.article, name="article"),
    path("articles/<int:pk>/helpful/", views.article_feedback, name="article-feedback"),
    path("report/", views.report, name="report"),
    path("report/suggestions/", views.suggestions, name="suggestions"),
    path("report/solved/", views.solved, name="solved"),
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/comments/", views.comment_create, name="comment-create"),
    path("tickets/<int:pk>/files/", views.attachment_create, name="attachment-create"),
    path("tickets/<int:pk>/files/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("tickets/<int:pk>/fixed/", views.ticket_confirm, name="ticket-confirm"),
    path("tickets/<int:pk>/reopen/", views.ticket_reopen, name="ticket-reopen"),
    path("tickets/<int:pk>/rating/", views.ticket_rate, name="ticket-rate"),
    # The e-mailed one-time survey link; works without signing in.
    path("rate/<str:token>/", views.survey_link, name="survey-link"),
    path("order/", ordering.item_list, name="order"),
    path("order/items/<int:pk>/", ordering.order_create, name="order-item"),
    path("order/mine/", ordering.order_list, name="orders"),
    path("order/mine/<int:pk>/", ordering.order_detail, name="order-detail"),
    path("order/approvals/", ordering.approval_list, name="approvals"),
    re_path(
        r"^order/approvals/(?P<pk>[0-9]+)/(?P<decision>" + "|".join(ordering.DECISIONS) + r")/$",
        ordering.approval_decide,
        name="approval-decide",
    ),
    path("status/", views.status, name="status"),
    path("language/", views.set_language, name="language"),
]
