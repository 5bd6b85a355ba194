"""Service catalogue console routes, mounted at /console/catalogue/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from . import views

app_name = "catalogue"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.item_list, name="home"),
    path("items/<int:pk>/order/", views.order_create, name="order"),
    path("orders/", views.request_list, name="requests"),
    path("orders/<int:pk>/", views.request_detail, name="request"),
    path("approvals/", views.approval_list, name="approvals"),
    re_path(
        r"^approvals/(?P<pk>[0-9]+)/(?P<decision>" + "|".join(views.DECISIONS) + r")/$",
        views.approval_decide,
        name="approval-decide",
    ),
    # The e-mailed one-time link; works without signing in.
    path("approve/<str:token>/", views.approval_link, name="approval-link"),
]
