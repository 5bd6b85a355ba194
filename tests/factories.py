"""factory_boy factories for the whole suite."""

from __future__ import annotations

import factory
from django.utils import timezone

from incidents.models import Comment, Ticket
from servicedesk.models import (
    AssignmentGroup,
    Category,
    Department,
    GroupLevel,
    HealthTrust,
    Role,
    Service,
    User,
)
from sla.models import Outage, OutageCause


class HealthTrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthTrust
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Health trust {n}")
    code = factory.Sequence(lambda n: f"trust{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    trust = factory.SubFactory(HealthTrustFactory)
    name = factory.Sequence(lambda n: f"Department {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    phone = factory.Sequence(lambda n: f"9{n:07d}")
    role = Role.END_USER
    preferred_language = "en"
    password = factory.django.Password("pw")


class AssignmentGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssignmentGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Group {n}")
    level = GroupLevel.SECOND_LINE
    email = factory.Sequence(lambda n: f"group{n}@example.org")

    @factory.post_generation
    def members(self, create: bool, extracted: list[User] | None, **kwargs: object) -> None:
        if create and extracted:
            self.members.add(*extracted)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")
    tier = 2
    owner_group = factory.SubFactory(AssignmentGroupFactory)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket row for setting up a scene; behaviour under test goes through services."""

    class Meta:
        model = Ticket

    caller = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("caller")
    title = factory.Sequence(lambda n: f"Printer on ward {n} does not print")
    description = "It says paper jam, but there is no paper jammed."
    assignment_group = factory.SubFactory(AssignmentGroupFactory)
    priority = 4
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.SelfAttribute("created_at")
    queue_entered_at = factory.SelfAttribute("created_at")


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    ticket = factory.SubFactory(TicketFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment {n}")
    created_at = factory.LazyFunction(timezone.now)


class OutageFactory(factory.django.DjangoModelFactory):
    """An outage row for setting up a scene; behaviour under test goes through sla/outages.py."""

    class Meta:
        model = Outage

    service = factory.SubFactory(ServiceFactory)
    started_at = factory.LazyFunction(timezone.now)
    ended_at = None
    planned = False
    cause = OutageCause.MANUAL
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.SelfAttribute("created_at")
