"""Who may see and change what: one scoped selector decides, every path obeys it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents import services
from incidents.models import State, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_ticket(other_end_user, ticket_of, agent):
    """End user B's ticket, with a public and an internal comment and file."""
    ticket = ticket_of(other_end_user)
    services.comment_add(ticket=ticket, actor=agent, body="We are looking at it")
    services.comment_add(ticket=ticket, actor=agent, body="Caller is VIP", internal=True)
    services.attachment_add(
        ticket=ticket, actor=agent, upload=SimpleUploadedFile("screen.png", b"\x89PNG data")
    )
    return ticket


@pytest.mark.parametrize(
    "path",
    ["{id}/", "{id}/comments/", "{id}/attachments/", "{id}/events/", "{id}/attachments/{att}/content/"],
)
def test_end_user_gets_404_for_another_users_ticket_and_its_parts(api_for, end_user, b_ticket, path):
    attachment = b_ticket.attachments.get()

    response = api_for(end_user).get("/api/tickets/" + path.format(id=b_ticket.pk, att=attachment.pk))

    assert response.status_code == 404


@pytest.mark.parametrize("transition", ["claim", "start", "close", "reopen"])
def test_end_user_gets_404_when_acting_on_another_users_ticket(api_for, end_user, b_ticket, transition):
    response = api_for(end_user).post(f"/api/tickets/{b_ticket.pk}/{transition}/", {})

    assert response.status_code == 404
    b_ticket.refresh_from_db()
    assert b_ticket.state == State.NEW


def test_end_user_cannot_comment_on_another_users_ticket(api_for, end_user, b_ticket):
    response = api_for(end_user).post(f"/api/tickets/{b_ticket.pk}/comments/", {"body": "hello"})

    assert response.status_code == 404
    assert b_ticket.comments.count() == 2


def test_internal_comments_never_reach_the_caller(api_for, other_end_user, b_ticket):
    client = api_for(other_end_user)

    comments = client.get(f"/api/tickets/{b_ticket.pk}/comments/").json()
    events = client.get(f"/api/tickets/{b_ticket.pk}/events/").json()

    assert [c["body"] for c in comments] == ["We are looking at it"]
    assert "Caller is VIP" not in str(events)
    assert len([e for e in events if e["action"] == "commented"]) == 1


def test_agents_see_internal_comments(api_for, agent, b_ticket):
    comments = api_for(agent).get(f"/api/tickets/{b_ticket.pk}/comments/").json()

    assert [c["internal"] for c in comments] == [False, True]


def test_internal_attachment_is_404_for_the_caller(api_for, agent, other_end_user, b_ticket):
    internal = services.attachment_add(
        ticket=b_ticket, actor=agent, upload=SimpleUploadedFile("notes.txt", b"secret"), internal=True
    )
    client = api_for(other_end_user)

    listed = client.get(f"/api/tickets/{b_ticket.pk}/attachments/").json()
    download = client.get(f"/api/tickets/{b_ticket.pk}/attachments/{internal.pk}/content/")

    assert [a["filename"] for a in listed] == ["screen.png"]
    assert download.status_code == 404


def test_end_user_asking_for_internal_comment_gets_a_public_one(api_for, other_end_user, b_ticket):
    response = api_for(other_end_user).post(
        f"/api/tickets/{b_ticket.pk}/comments/", {"body": "Any news?", "internal": True}
    )

    assert response.status_code == 201
    assert "internal" not in response.json()  # an agent-only flag: end users never read it
    assert b_ticket.comments.get(pk=response.json()["id"]).internal is False


def test_caller_downloads_their_public_attachment_as_a_download(api_for, other_end_user, b_ticket):
    attachment = b_ticket.attachments.get()

    response = api_for(other_end_user).get(f"/api/tickets/{b_ticket.pk}/attachments/{attachment.pk}/content/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"\x89PNG data"


def test_attachment_of_one_ticket_is_not_reachable_through_another(
    api_for, other_end_user, b_ticket, ticket_of
):
    own_other_ticket = ticket_of(other_end_user)
    attachment = b_ticket.attachments.get()

    response = api_for(other_end_user).get(
        f"/api/tickets/{own_other_ticket.pk}/attachments/{attachment.pk}/content/"
    )

    assert response.status_code == 404


def test_resolver_cannot_change_a_ticket_of_another_group(
    api_for, resolver, end_user, ticket_of, first_line_group
):
    # The resolver called this one in, so they may see it, but it sits with the customer centre.
    ticket = ticket_of(resolver)

    responses = [
        api_for(resolver).post(f"/api/tickets/{ticket.pk}/claim/", {}),
        api_for(resolver).post(f"/api/tickets/{ticket.pk}/resolve/", {"code": "solved", "note": "done"}),
        api_for(resolver).patch(f"/api/tickets/{ticket.pk}/", {"title": "mine now"}),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee, ticket.title) == (State.NEW, None, ticket.title)
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_resolver_gets_404_for_another_groups_ticket_they_have_no_part_in(
    api_for, resolver, end_user, ticket_of
):
    ticket = ticket_of(end_user)

    response = api_for(resolver).post(f"/api/tickets/{ticket.pk}/claim/", {})

    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_resolver_works_their_own_groups_ticket(api_for, resolver, end_user, ticket_of, second_line_group):
    ticket = ticket_of(end_user, assignment_group=second_line_group)

    response = api_for(resolver).post(f"/api/tickets/{ticket.pk}/claim/", {})

    assert response.status_code == 200
    assert response.json()["assignee"]["id"] == resolver.pk


def test_end_user_cannot_look_people_up(api_for, end_user):
    assert api_for(end_user).get("/api/users/", {"q": "a"}).status_code == 403


def test_agent_looks_a_caller_up_by_phone_or_name(api_for, agent, end_user):
    by_phone = api_for(agent).get("/api/users/", {"q": end_user.phone}).json()["results"]
    by_name = api_for(agent).get("/api/users/", {"q": end_user.last_name}).json()["results"]

    assert end_user.pk in [u["id"] for u in by_phone]
    assert end_user.pk in [u["id"] for u in by_name]
