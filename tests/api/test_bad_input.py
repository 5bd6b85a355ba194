"""Bad input gets a clear 4xx and changes nothing; never a 500."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from incidents.models import Attachment, Comment, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_api(api_for, agent) -> APIClient:
    return api_for(agent)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "service": 999999}, "service"),
        ({"title": "ok", "impact": 7}, "impact"),
        ({"title": "ok", "kind": "problem"}, "kind"),
        ({"title": "ok", "channel": "pigeon"}, "channel"),
        ({"title": "ok", "assignment_group": "abc"}, "assignment_group"),
        ({"title": "bad\x00title"}, "title"),
        ({"title": "ok", "description": "nul \x00 inside"}, "description"),
    ],
)
def test_invalid_ticket_is_400_with_the_field_named_and_nothing_saved(
    agent_api, end_user, first_line_group, body, field
):
    response = agent_api.post("/api/tickets/", {"caller": end_user.pk, **body})

    assert response.status_code == 400
    assert field in response.json()
    assert not Ticket.objects.exists()


def test_missing_caller_is_400(agent_api, first_line_group):
    response = agent_api.post("/api/tickets/", {"title": "No caller"})

    assert response.status_code == 400
    assert "caller" in response.json()


def test_nul_byte_in_a_comment_is_400(api_for, end_user, ticket_of):
    ticket = ticket_of(end_user)

    response = api_for(end_user).post(f"/api/tickets/{ticket.pk}/comments/", {"body": "a\x00b"})

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_malformed_json_is_400(agent_api):
    response = agent_api.generic("POST", "/api/tickets/", "{not json", content_type="application/json")

    assert response.status_code == 400


def test_absurdly_deep_json_is_400(agent_api, first_line_group):
    body = "[" * 100_000 + "]" * 100_000

    response = agent_api.generic("POST", "/api/tickets/", body, content_type="application/json")

    assert response.status_code == 400
    assert "deep" in response.json()["detail"]


def test_moderately_nested_json_beyond_the_limit_is_400(agent_api, end_user, first_line_group):
    nested: object = "x"
    for _ in range(30):
        nested = {"a": nested}
    response = agent_api.post(
        "/api/tickets/", {"caller": end_user.pk, "title": "t", "extra": nested}, format="json"
    )

    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_body_over_the_size_limit_is_413(agent_api, end_user, first_line_group, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = agent_api.post(
        "/api/tickets/", {"caller": end_user.pk, "title": "big", "description": "x" * 20_000}, format="json"
    )

    assert response.status_code == 413
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"ordering": "password"},
        {"ordering": "caller__password"},
        {"ordering": "-nonexistent"},
        {"priority": "abc"},
        {"state": "sleeping"},
        {"created_after": "yesterday"},
        {"assignee": "somebody"},
        {"assignment_group": "x"},
        {"q": "a\x00b"},
        {"page": "zzz"},
    ],
)
def test_bad_filter_or_ordering_is_400_or_404_never_500(agent_api, end_user, ticket_of, query):
    ticket_of(end_user)

    response = agent_api.get("/api/tickets/", query)

    expected = 404 if "page" in query else 400  # DRF answers an invalid page with 404
    assert response.status_code == expected


def test_oversized_attachment_is_413_and_not_stored(api_for, end_user, ticket_of, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    ticket = ticket_of(end_user)

    response = api_for(end_user).post(
        f"/api/tickets/{ticket.pk}/attachments/",
        {"file": SimpleUploadedFile("big.pdf", b"x" * 2048)},
        format="multipart",
    )

    assert response.status_code == 413
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("name", ["page.html", "image.svg", "run.exe", "script.js", "noextension"])
def test_forbidden_attachment_type_is_400_and_not_stored(api_for, end_user, ticket_of, name):
    ticket = ticket_of(end_user)

    response = api_for(end_user).post(
        f"/api/tickets/{ticket.pk}/attachments/",
        {"file": SimpleUploadedFile(name, b"<script>alert(1)</script>")},
        format="multipart",
    )

    assert response.status_code == 400
    assert "file" in response.json()
    assert not Attachment.objects.exists()


def test_empty_comment_is_400(api_for, end_user, ticket_of):
    ticket = ticket_of(end_user)

    response = api_for(end_user).post(f"/api/tickets/{ticket.pk}/comments/", {"body": "   "})

    assert response.status_code == 400
    assert "body" in response.json()


def test_transition_with_missing_fields_is_400(agent_api, end_user, ticket_of):
    ticket = ticket_of(end_user)

    response = agent_api.post(f"/api/tickets/{ticket.pk}/resolve/", {"code": "magic"})

    assert response.status_code == 400
    assert set(response.json()) == {"code", "note"}
    ticket.refresh_from_db()
    assert ticket.state == "new"


def test_unknown_ticket_id_is_404(agent_api):
    assert agent_api.get("/api/tickets/987654/").status_code == 404
    assert agent_api.get("/api/tickets/abc/").status_code == 404
