"""Fixtures for change management: the seeded boards with members, people, services, and
changes driven to a state through the services."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from changes import services
from changes.models import AdvisoryBoard, Change, ChangeType
from servicedesk.models import Role, Service, User
from tests.factories import ServiceFactory, UserFactory

from .helpers import answers


@pytest.fixture
def console_for(db: None) -> Callable[[User], Client]:
    """A browser signed in as the given user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def change_manager(db: None) -> User:
    return UserFactory(username="cab1", role=Role.CHANGE_MANAGER)


@pytest.fixture
def requester(db: None) -> User:
    return UserFactory(username="requester", role=Role.RESOLVER)


@pytest.fixture
def cab(db: None) -> AdvisoryBoard:
    """The CAB seeded by the migration (its members are data)."""
    return AdvisoryBoard.objects.get(name="CAB")


@pytest.fixture
def cab_members(cab: AdvisoryBoard) -> list[User]:
    members = [UserFactory(username=f"cab_member_{n}", role=Role.RESOLVER) for n in range(1, 4)]
    cab.members.add(*members)
    return members


@pytest.fixture
def ecab_member(db: None) -> User:
    member = UserFactory(username="ecab_member", role=Role.CHANGE_MANAGER)
    AdvisoryBoard.objects.get(name="ECAB").members.add(member)
    return member


@pytest.fixture
def pacs(db: None) -> Service:
    return ServiceFactory(name="PACS/RIS", tier=1)


@pytest.fixture
def epr(db: None) -> Service:
    return ServiceFactory(name="EPR", tier=1)


@pytest.fixture
def awaiting_change(change_manager: User, requester: User, pacs: Service) -> Callable[..., Change]:
    """A low-risk change (normal or emergency) before its board, on PACS by default."""

    def make(
        *, change_type: str = ChangeType.NORMAL, on: list[Service] | None = None, title: str = ""
    ) -> Change:
        change = services.change_create(
            actor=requester,
            title=title or "Patch the PACS archive",
            change_type=change_type,
            services=on or [pacs],
            implementation_plan="Patch node 1, fail over, patch node 2.",
            backout_plan="Fail back to the unpatched node.",
        )
        services.change_submit(change=change, actor=requester)
        services.change_assess(change=change, actor=change_manager, answers=answers(False))
        services.change_request_approval(change=change, actor=change_manager)
        change.refresh_from_db()
        return change

    return make


@pytest.fixture
def approved_change(
    awaiting_change: Callable[..., Change], cab_members: list[User], ecab_member: User
) -> Callable[..., Change]:
    """A low-risk change approved by its board (one approval: a CAB member, or the ECAB member)."""

    def make(*, change_type: str = ChangeType.NORMAL, **kwargs: object) -> Change:
        change = awaiting_change(change_type=change_type, **kwargs)
        approver = ecab_member if change_type == ChangeType.EMERGENCY else cab_members[0]
        services.change_approve(change=change, actor=approver)
        change.refresh_from_db()
        return change

    return make
