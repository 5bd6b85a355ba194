"""Demo catalogue items (called by the demo data command; never part of production settings)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from servicedesk.models import AssignmentGroup, Category, GroupLevel, Service

from .models import ApprovalStep, ApproverKind, CatalogueItem, FieldType, FormField, TaskTemplate

APPLICATIONS = ["DIPS", "Sectra PACS", "Metavision", "Labprøvesvar"]
ACCESS_SERVICE = "Brukerkontoer og tilganger"


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


ITEMS = [
    DemoItem(
        "Tilgang til et program",
        "Tilgang",
        "Tilgang til et klinisk eller administrativt program for deg selv, f.eks. i en ny rolle.",
        [
            Question("application", "Program", FieldType.CHOICE, choices=APPLICATIONS),
            Question(
                "role_needs",
                "Rolle og behov",
                help_text="Rollen din og hva du skal gjøre i programmet, f.eks. "
                "«sykepleier, lese og skrive i pasientjournalen på posten».",
            ),
            Question("start_date", "Startdato", FieldType.DATE, help_text="Fra når du trenger tilgangen."),
            Question(
                "end_date",
                "Sluttdato",
                FieldType.DATE,
                required=False,
                help_text="La feltet stå tomt for varig tilgang.",
            ),
        ],
        [ApproverKind.LINE_MANAGER, ApproverKind.SERVICE_OWNER],
        [("Gi tilgang til programmet", "Tilgangsstyring")],
    ),
    DemoItem(
        "Ny PC",
        "Maskinvare",
        "En ny PC eller erstatning for en gammel, satt opp med sykehusets standardprogrammer.",
        [
            Question("location", "Plassering", help_text="Bygg, etasje og rom der PC-en skal stå."),
            Question(
                "replaces",
                "PC-en den erstatter",
                required=False,
                help_text="Navnet på klistremerket på den gamle PC-en, om det finnes.",
            ),
        ],
        [ApproverKind.LINE_MANAGER],
        [("Klargjøre og installere PC-en", "Arbeidsflate")],
    ),
    DemoItem(
        "Mobiltelefon",
        "Telefoni",
        "En jobbmobil med abonnement fra sykehuset.",
        [
            Question(
                "international",
                "Trenger å ringe til utlandet",
                FieldType.YES_NO,
                help_text="Bare hvis arbeidet krever samtaler til utlandet.",
            ),
        ],
        [],
        [("Levere telefon og abonnement", "Mobile enheter")],
    ),
    DemoItem(
        "Installere programvare",
        "Programvare",
        "Installasjon av godkjent programvare på PC-en din.",
        [
            Question(
                "software", "Navn på programmet", help_text="Navn og versjon, f.eks. «Adobe Acrobat Reader»."
            )
        ],
        [],
        [("Installere programmet", "Arbeidsflate")],
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

    A service-owner step needs the service "Brukerkontoer og tilganger" (the demo data has it); the
    line managers and service owners themselves are people data, set by the demo data command.
    """
    if CatalogueItem.objects.exists():
        return 0
    access_service = Service.objects.filter(name=ACCESS_SERVICE).first()
    created = 0
    with transaction.atomic():
        for spec in ITEMS:
            item = CatalogueItem.objects.create(
                name=spec.name, description=spec.description, category=_category(spec.category)
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
