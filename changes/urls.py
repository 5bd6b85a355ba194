"""Change management console routes, mounted at /console/changes/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from . import views

app_name = "changes"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.change_list, name="list"),
    path("new/", views.change_new, name="new"),
    path("calendar/", views.change_calendar, name="calendar"),
    path("votes/", views.change_votes, name="votes"),
    path("<int:pk>/", views.change_detail, name="detail"),
    path("<int:pk>/edit/", views.change_edit, name="edit"),
    re_path(
        r"^(?P<pk>[0-9]+)/(?P<transition>" + "|".join(views.TRANSITIONS) + r")/$",
        views.change_transition,
        name="transition",
    ),
]
