"""End users never read agent-only fields: not in any ticket answer of the API, not in the portal.

Agent-only: assignment group, assignee, impact, urgency, priority, SLA clocks (due times,
breaches, OLAs), reassignment and reopen counts, internal flags, major-incident internals and
escalation details. The caller reads `answer_by` ("we aim to have it solved by") instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from incidents import services
from incidents.models import Ticket
from servicedesk.models import AssignmentGroup, GroupLevel, Role, User
from tests.factories import AssignmentGroupFactory, UserFactory

AGENT_ONLY_KEYS = {
    "assignment_group",
    "assignee",
    "group",
    "impact",
    "urgency",
    "priority",
    "sla",
    "clock",
    "clocks",
    "due_at",
    "breached_at",
    "badge",
    "seconds_left",
    "target_seconds",
    "reassignment_count",
    "reopen_count",
    "internal",
    "major_incident",
    "major_proposed",
    "major_declared_at",
    "major_ended_at",
    "queue_entered_at",
    "resolved_by_group",
    "escalated_to",
    "details",
    "actor",
}
GROUP_NAME = "Klinisk systemforvaltning Vest"
RESOLVER_FIRST, RESOLVER_LAST = "Ragnhild", "Løsningsen"


def keys_in(value: Any) -> Iterator[str]:
    """Every key of every dict, however deeply nested in lists and dicts."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_in(item)


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, str):
        yield value


@dataclass
class Scene:
    end_user: User
    open_ticket: Ticket
    resolved_ticket: Ticket
    group: AssignmentGroup
    assignee: User


@pytest.fixture
def scene(agent: User, end_user: User) -> Scene:
    """Two tickets of the end user's, both P1, escalated to a second-line group with an assignee,
    with internal and public comments; one of them resolved."""
    group = AssignmentGroupFactory(name=GROUP_NAME, level=GroupLevel.SECOND_LINE)
    assignee = UserFactory(first_name=RESOLVER_FIRST, last_name=RESOLVER_LAST, role=Role.RESOLVER)
    group.members.add(assignee)
    tickets = []
    for title in ("Skriveren skriver ikke", "EPJ henger ved pålogging"):
        ticket = services.ticket_create(
            actor=agent, caller=end_user, title=title, impact=1, urgency=1, description="Hele posten"
        )
        assert ticket.priority == 1
        ticket = services.ticket_escalate(ticket=ticket, actor=agent, group=group)
        ticket = services.ticket_assign(ticket=ticket, actor=agent, group=group, assignee=assignee)
        services.comment_add(ticket=ticket, actor=agent, body="Internt: ring leverandør", internal=True)
        services.comment_add(ticket=ticket, actor=agent, body="Vi ser på saken.")
        services.attachment_add(
            ticket=ticket,
            actor=agent,
            upload=SimpleUploadedFile("logg.txt", b"intern logg", content_type="text/plain"),
            internal=True,
        )
        tickets.append(ticket)
    resolved = services.ticket_resolve(ticket=tickets[1], actor=assignee, code="solved", note="Ny driver.")
    return Scene(end_user, tickets[0], resolved, group, assignee)


GROUP = {"group": "scene-group"}  # replaced by the scene's group: the refusal is not about input

# (name, method, path from the scene, body) — every ticket endpoint an end user may call, and the
# agent-only ones they may not (their refusals must not tell anything either).
ENDPOINTS: list[tuple[str, str, Callable[[Scene], str], dict[str, Any] | None]] = [
    ("list", "get", lambda s: "/api/tickets/", None),
    ("list-closed", "get", lambda s: "/api/tickets/?state=resolved", None),
    ("detail", "get", lambda s: f"/api/tickets/{s.open_ticket.pk}/", None),
    (
        "create",
        "post",
        lambda s: "/api/tickets/",
        {"title": "Telefonen ringer ikke", "urgency": 1, "impact": 1, "assignment_group": 1},
    ),
    ("comments", "get", lambda s: f"/api/tickets/{s.open_ticket.pk}/comments/", None),
    ("comment-add", "post", lambda s: f"/api/tickets/{s.open_ticket.pk}/comments/", {"body": "Takk"}),
    ("attachments", "get", lambda s: f"/api/tickets/{s.open_ticket.pk}/attachments/", None),
    ("events", "get", lambda s: f"/api/tickets/{s.open_ticket.pk}/events/", None),
    ("events-resolved", "get", lambda s: f"/api/tickets/{s.resolved_ticket.pk}/events/", None),
    ("sla", "get", lambda s: f"/api/tickets/{s.open_ticket.pk}/sla/", None),
    ("reopen", "post", lambda s: f"/api/tickets/{s.resolved_ticket.pk}/reopen/", {"reason": "Igjen"}),
    ("close", "post", lambda s: f"/api/tickets/{s.resolved_ticket.pk}/close/", {}),
    ("assign", "post", lambda s: f"/api/tickets/{s.open_ticket.pk}/assign/", GROUP),
    ("escalate", "post", lambda s: f"/api/tickets/{s.open_ticket.pk}/escalate/", GROUP),
    ("claim", "post", lambda s: f"/api/tickets/{s.open_ticket.pk}/claim/", {}),
    ("start", "post", lambda s: f"/api/tickets/{s.open_ticket.pk}/start/", {}),
    ("pend", "post", lambda s: f"/api/tickets/{s.open_ticket.pk}/pend/", {"reason": "caller"}),
    (
        "resolve",
        "post",
        lambda s: f"/api/tickets/{s.open_ticket.pk}/resolve/",
        {"code": "solved", "note": "x"},
    ),
    ("declare-major", "post", lambda s: f"/api/tickets/{s.open_ticket.pk}/declare-major/", {}),
    ("review", "get", lambda s: f"/api/tickets/{s.open_ticket.pk}/review/", None),
    ("edit", "patch", lambda s: f"/api/tickets/{s.open_ticket.pk}/", {"title": "Nytt"}),
]


@pytest.mark.parametrize(
    ("method", "path", "body"), [e[1:] for e in ENDPOINTS], ids=[e[0] for e in ENDPOINTS]
)
def test_end_users_api_answers_hold_no_agent_only_field(
    scene: Scene,
    api_for: Callable[[User], APIClient],
    method: str,
    path: Callable[[Scene], str],
    body: dict[str, Any] | None,
) -> None:
    client = api_for(scene.end_user)
    if body is GROUP:
        body = {"group": scene.group.pk}
    response = getattr(client, method)(path(scene), body, format="json")

    assert response.status_code < 500
    data = response.json() if response.content else {}
    leaked = set(keys_in(data)) & AGENT_ONLY_KEYS
    assert not leaked, f"{response.status_code}: {sorted(leaked)}"
    text = " ".join(strings_in(data))
    assert GROUP_NAME not in text
    assert RESOLVER_LAST not in text
    assert "Internt: ring leverandør" not in text
    assert "logg.txt" not in text


def test_end_users_sla_endpoint_is_not_found(scene: Scene, api_for: Callable[[User], APIClient]) -> None:
    response = api_for(scene.end_user).get(f"/api/tickets/{scene.open_ticket.pk}/sla/")

    assert response.status_code == 404


def test_end_users_ticket_says_when_we_aim_to_answer(
    scene: Scene, api_for: Callable[[User], APIClient]
) -> None:
    data = api_for(scene.end_user).get(f"/api/tickets/{scene.open_ticket.pk}/").json()

    assert "answer_by" in data
    assert data["title"] == "Skriveren skriver ikke"
    assert data["state"] == scene.open_ticket.state


def test_agents_still_read_every_field(
    scene: Scene, agent: User, api_for: Callable[[User], APIClient]
) -> None:
    data = api_for(agent).get(f"/api/tickets/{scene.open_ticket.pk}/").json()

    assert data["assignment_group"]["name"] == GROUP_NAME
    assert data["priority"] == 1
    assert "sla" in data
    assert "internal" in api_for(agent).get(f"/api/tickets/{scene.open_ticket.pk}/comments/").json()[0]


PORTAL_PAGES: list[tuple[str, Callable[[Scene], str]]] = [
    ("home", lambda s: reverse("portal:home")),
    ("my-cases", lambda s: reverse("portal:tickets")),
    ("my-closed-cases", lambda s: reverse("portal:tickets") + "?show=closed"),
    ("open-case", lambda s: reverse("portal:ticket", kwargs={"pk": s.open_ticket.pk})),
    ("resolved-case", lambda s: reverse("portal:ticket", kwargs={"pk": s.resolved_ticket.pk})),
    ("status", lambda s: reverse("portal:status")),
]


@pytest.mark.parametrize("path", [p[1] for p in PORTAL_PAGES], ids=[p[0] for p in PORTAL_PAGES])
def test_portal_pages_show_no_agent_only_field(
    scene: Scene, browser_for: Callable[[User], Client], path: Callable[[Scene], str]
) -> None:
    response = browser_for(scene.end_user).get(path(scene))

    assert response.status_code == 200
    html = response.content.decode()
    assert GROUP_NAME not in html
    assert RESOLVER_LAST not in html
    assert not re.search(r"\bP[1-4]\b", html)
    assert "Internt: ring leverandør" not in html
    assert "logg.txt" not in html
    for label in ("Assignment group", "Assignee", "Impact", "Urgency", "Priority", "Breached"):
        assert label not in html


@pytest.mark.parametrize(
    "query",
    [
        {"priority": 1},
        {"assignment_group": 1},
        {"assignee": "none"},
        {"major_incident": "true"},
        {"ordering": "-priority"},
        {"ordering": "created_at,sla_due"},
    ],
)
def test_end_users_cannot_filter_or_order_on_agent_only_fields(
    scene: Scene, api_for: Callable[[User], APIClient], query: dict[str, object]
) -> None:
    response = api_for(scene.end_user).get("/api/tickets/", query)

    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_end_users_still_filter_on_their_own_fields(
    scene: Scene, api_for: Callable[[User], APIClient]
) -> None:
    response = api_for(scene.end_user).get("/api/tickets/", {"state": "resolved", "ordering": "-created_at"})

    assert response.status_code == 200
    assert [t["id"] for t in response.json()["results"]] == [scene.resolved_ticket.pk]
