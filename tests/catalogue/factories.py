"""factory_boy factories for catalogue items and orders (scene setting; behaviour goes through services)."""

from __future__ import annotations

import factory

from catalogue.models import (
    Approval,
    ApprovalStep,
    ApproverKind,
    CatalogueItem,
    CatalogueRequest,
    FieldType,
    FormField,
    RequestState,
    TaskTemplate,
)
from incidents.models import Kind
from tests.factories import AssignmentGroupFactory, CategoryFactory, TicketFactory, UserFactory


class CatalogueItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogueItem

    name = factory.Sequence(lambda n: f"Item {n}")
    description = "Something to order."
    category = factory.SubFactory(CategoryFactory)


class FormFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormField

    item = factory.SubFactory(CatalogueItemFactory)
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Field {n}")
    type = FieldType.TEXT
    required = True
    order = factory.Sequence(lambda n: n)


class ApprovalStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApprovalStep

    item = factory.SubFactory(CatalogueItemFactory)
    order = factory.Sequence(lambda n: n + 1)
    approver = ApproverKind.LINE_MANAGER


class TaskTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskTemplate

    item = factory.SubFactory(CatalogueItemFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    group = factory.SubFactory(AssignmentGroupFactory)


class CatalogueRequestFactory(factory.django.DjangoModelFactory):
    """An order row on a request ticket, for lists; real orders are made by request_submit."""

    class Meta:
        model = CatalogueRequest

    ticket = factory.SubFactory(TicketFactory, kind=Kind.REQUEST)
    item = factory.SubFactory(CatalogueItemFactory)
    answers = factory.LazyFunction(dict)
    state = RequestState.AWAITING_APPROVAL


class ApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Approval

    request = factory.SubFactory(CatalogueRequestFactory)
    order = 1
    kind = ApproverKind.LINE_MANAGER
    approver = factory.SubFactory(UserFactory)
