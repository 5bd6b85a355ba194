"""Small helpers shared by the console tests."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse


def flashed(response: HttpResponse) -> list[str]:
    """The messages shown on a page reached with follow=True."""
    return [str(message) for message in response.context["messages"]]


def ticket_url(pk: int) -> str:
    return reverse("console:ticket", kwargs={"pk": pk})


def transition_url(pk: int, transition: str) -> str:
    return reverse("console:ticket-transition", kwargs={"pk": pk, "transition": transition})
