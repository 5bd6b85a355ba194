"""A hospital's access order, as the demo catalogue defines it, with the people it involves."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from rest_framework.test import APIClient

from catalogue import services
from catalogue.demo import ACCESS_SERVICE, seed_catalogue
from catalogue.models import CatalogueItem, CatalogueRequest
from servicedesk.models import AssignmentGroup, GroupLevel, Role, Service, User
from servicedesk.outbox import dispatch_pending
from tests.factories import AssignmentGroupFactory, ServiceFactory, UserFactory

from .helpers import START


@pytest.fixture
def access_group(db: None) -> AssignmentGroup:
    return AssignmentGroupFactory(
        name="Tilgangsstyring", level=GroupLevel.SECOND_LINE, email="access@example.org"
    )


@pytest.fixture
def access_resolver(access_group: AssignmentGroup) -> User:
    user = UserFactory(username="access_resolver", role=Role.RESOLVER)
    access_group.members.add(user)
    return user


@pytest.fixture
def line_manager(db: None) -> User:
    return UserFactory(username="ward_manager", role=Role.END_USER)


@pytest.fixture
def service_owner(db: None) -> User:
    return UserFactory(username="access_owner", role=Role.END_USER)


@pytest.fixture
def requester(line_manager: User) -> User:
    return UserFactory(username="nurse", role=Role.END_USER, line_manager=line_manager)


@pytest.fixture
def access_service(service_owner: User, access_group: AssignmentGroup) -> Service:
    return ServiceFactory(name=ACCESS_SERVICE, owner=service_owner, owner_group=access_group)


@pytest.fixture
def catalogue(
    first_line_group: AssignmentGroup, access_group: AssignmentGroup, access_service: Service
) -> None:
    """The demo catalogue, seeded after its groups and service exist."""
    seed_catalogue()


@pytest.fixture
def access_item(catalogue: None) -> CatalogueItem:
    return CatalogueItem.objects.get(name="Tilgang til et program")


@pytest.fixture
def access_answers() -> dict[str, object]:
    return {
        "application": "DIPS",
        "role_needs": "Nurse on ward 3, read and write the chart",
        "start_date": START,
    }


@pytest.fixture
def submitted(
    access_item: CatalogueItem, requester: User, access_answers: dict[str, object]
) -> CatalogueRequest:
    """An access order waiting for the line manager (step 1), then the service owner (step 2)."""
    return services.request_submit(item=access_item, requester=requester, answers=access_answers)


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def sent_mail() -> Callable[[], list[mail.EmailMessage]]:
    """Send what the outbox owes now; return the e-mails sent so far."""

    def send() -> list[mail.EmailMessage]:
        dispatch_pending()
        return list(mail.outbox)

    return send
