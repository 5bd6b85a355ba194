"""factory_boy factories for change management scenes; behaviour under test goes through services."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from changes.models import Change, ChangeType, FreezeWindow, Release, State
from servicedesk.models import Role
from tests.factories import UserFactory


class ChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Change
        skip_postgeneration_save = True

    change_type = ChangeType.NORMAL
    title = factory.Sequence(lambda n: f"Upgrade application server {n}")
    requester = factory.SubFactory(UserFactory, role=Role.RESOLVER)
    state = State.DRAFT
    implementation_plan = "Stop the service, upgrade, start, smoke-test."
    backout_plan = "Restore the snapshot taken before the upgrade."
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.SelfAttribute("created_at")

    @factory.post_generation
    def services(self, create: bool, extracted: list[object] | None, **kwargs: object) -> None:
        if create and extracted:
            self.services.add(*extracted)


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    name = factory.Sequence(lambda n: f"Release 2025.{n}")
    planned_date = factory.LazyFunction(timezone.localdate)


class FreezeWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FreezeWindow
        skip_postgeneration_save = True

    name = "Christmas freeze"
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    end = factory.LazyAttribute(lambda w: w.start + timedelta(days=14))

    @factory.post_generation
    def services(self, create: bool, extracted: list[object] | None, **kwargs: object) -> None:
        if create and extracted:
            self.services.add(*extracted)
