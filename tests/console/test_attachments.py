"""Attachments: uploads are checked by type, downloads are always downloads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .helpers import flashed

pytestmark = pytest.mark.django_db


def upload_url(ticket_id: int) -> str:
    return reverse("console:attachment-create", kwargs={"pk": ticket_id})


def test_attachment_download_is_a_download_that_is_never_sniffed(console_for, agent, logged_ticket, attach):
    attachment = attach(logged_ticket, agent, name="error.log")

    response = console_for(agent).get(reverse("console:attachment", kwargs={"pk": attachment.pk}))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"stack trace\n"


def test_html_upload_is_refused_with_a_message(console_for, agent, logged_ticket):
    upload = SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="text/html")

    response = console_for(agent).post(upload_url(logged_ticket.pk), {"file": upload}, follow=True)

    assert "Files of type '.html' are not allowed." in flashed(response)
    assert not logged_ticket.attachments.exists()
