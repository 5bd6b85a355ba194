"""Demo catalogue items (called by the demo data command; never part of production settings)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from servicedesk.models import AssignmentGroup, Category, GroupLevel, Service

from .models import ApprovalStep, ApproverKind, CatalogueItem, FieldType, FormField, TaskTemplate

APPLICATIONS = ["DIPS", "Sectra PACS", "Metavision", "Labprøvesvar"]
ACCESS_SERVICE = "User accounts and access"


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    type: str = FieldType.TEXT
    required: bool = True
    help_text: str = ""
    choices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoItem:
    name: str
    category: str
    description: str
    questions: list[Question]
    approvers: list[str]
    tasks: list[tuple[str, str]]  # (title, preferred group name)
    service: str = ""  # the service its orders are logged on, if the demo data has it


ITEMS = [
    DemoItem(
        "Access to an application",
        "Access",
        "Access to a clinical or administrative application for yourself, e.g. for a new role.",
        [
            Question("application", "Application", FieldType.CHOICE, choices=APPLICATIONS),
            Question(
                "role_needs",
                "Role and needs",
                help_text="Your role and what you need to do in the application, e.g. "
                "'nurse, read and write the patient chart on the ward'.",
            ),
            Question("start_date", "Start date", FieldType.DATE, help_text="From when you need the access."),
            Question(
                "end_date",
                "End date",
                FieldType.DATE,
                required=False,
                help_text="Leave empty for permanent access.",
            ),
        ],
        [ApproverKind.LINE_MANAGER, ApproverKind.SERVICE_OWNER],
        [("Grant the application access", "Access management")],
        ACCESS_SERVICE,
    ),
    DemoItem(
        "New PC",
        "Hardware",
        "A new or replacement workstation PC, set up with the standard hospital software.",
        [
            Question("location", "Location", help_text="Building, floor and room where the PC will stand."),
            Question(
                "replaces",
                "PC it replaces",
                required=False,
                help_text="The name on the label of the old PC, if any.",
            ),
        ],
        [ApproverKind.LINE_MANAGER],
        [("Prepare and install the PC", "Workstation")],
        "Workstation",
    ),
    DemoItem(
        "Mobile phone",
        "Telephony",
        "A work mobile phone with a hospital subscription.",
        [
            Question(
                "international",
                "Needs international calling",
                FieldType.YES_NO,
                help_text="Only if your work requires calls abroad.",
            ),
        ],
        [],
        [("Provide the phone and subscription", "Mobile devices")],
        "Mobile phones",
    ),
    DemoItem(
        "Install software",
        "Software",
        "Installation of approved software on your PC.",
        [Question("software", "Software name", help_text="Name and version, e.g. 'Adobe Acrobat Reader'.")],
        [],
        [("Install the software", "Workstation")],
        "Office apps",
    ),
]


def _category(name: str) -> Category:
    category = Category.objects.filter(parent=None, name=name).first()
    return category or Category.objects.create(name=name)


def _group(preferred: str) -> AssignmentGroup | None:
    """The named group, or else the first second-line group (demo data may be partial)."""
    groups = AssignmentGroup.objects.filter(active=True)
    return (
        groups.filter(name=preferred).first()
        or groups.filter(level=GroupLevel.SECOND_LINE).order_by("name", "id").first()
        or groups.order_by("level", "id").first()
    )


def seed_catalogue() -> int:
    """Create the demo items unless the catalogue has items already; returns how many were made.

    A service-owner step needs the service "User accounts and access" (the demo data has it); the
    line managers and service owners themselves are people data, set by the demo data command.
    """
    if CatalogueItem.objects.exists():
        return 0
    access_service = Service.objects.filter(name=ACCESS_SERVICE).first()
    created = 0
    with transaction.atomic():
        for spec in ITEMS:
            item = CatalogueItem.objects.create(
                name=spec.name,
                description=spec.description,
                category=_category(spec.category),
                service=Service.objects.filter(name=spec.service).first() if spec.service else None,
            )
            FormField.objects.bulk_create(
                FormField(
                    item=item,
                    key=q.key,
                    label=q.label,
                    type=q.type,
                    required=q.required,
                    help_text=q.help_text,
                    choices=q.choices,
                    order=position,
                )
                for position, q in enumerate(spec.questions, start=1)
            )
            approvers = [
                kind for kind in spec.approvers if kind != ApproverKind.SERVICE_OWNER or access_service
            ]
            ApprovalStep.objects.bulk_create(
                ApprovalStep(
                    item=item,
                    order=position,
                    approver=kind,
                    service=access_service if kind == ApproverKind.SERVICE_OWNER else None,
                )
                for position, kind in enumerate(approvers, start=1)
            )
            for position, (title, group_name) in enumerate(spec.tasks, start=1):
                group = _group(group_name)
                if group is not None:
                    TaskTemplate.objects.create(item=item, title=title, group=group, order=position)
            created += 1
    return created
