"""Knowledge base routes of the console, mounted at /console/kb/."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "knowledge"

urlpatterns: list[URLPattern] = [
    path("suggestions/", views.agent_suggestions, name="suggestions"),
    path("tickets/<int:pk>/", views.ticket_articles, name="ticket-articles"),
    path("tickets/<int:pk>/links/", views.ticket_article_links, name="ticket-links"),
    path("tickets/<int:pk>/link/", views.ticket_article_link, name="ticket-link"),
]
