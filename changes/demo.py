"""Demo change management: board members, the Christmas and Easter freezes, and changes in
different states whose risk answers, services and implementer groups fit what they touch.

Everything goes through changes.services, as a change manager would in the console.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.easter import easter

from servicedesk.errors import DomainError
from servicedesk.models import AssignmentGroup, Role, Service, User

from . import services
from .models import AdvisoryBoard, BoardKind, Change, FreezeWindow, RiskQuestion, State

OSLO = ZoneInfo("Europe/Oslo")


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=OSLO)


# --- freeze windows ------------------------------------------------------------------------------


def _christmas(year: int) -> tuple[str, datetime, datetime, str]:
    return (
        f"Julefrys {year}",
        _at(date(year, 12, 18), 0),
        _at(date(year + 1, 1, 3), 0),
        "Redusert bemanning i romjulen; bare hasteendringer fra 18. desember til og med 2. januar.",
    )


def _easter(year: int) -> tuple[str, datetime, datetime, str]:
    sunday = easter(year)
    return (
        f"Påskefrys {year}",
        _at(sunday - timedelta(days=4), 0),  # the Wednesday before Maundy Thursday
        _at(sunday + timedelta(days=2), 0),  # to the end of Easter Monday
        "Påskeferie og redusert bemanning; bare hasteendringer fra onsdag før skjærtorsdag "
        "til og med 2. påskedag.",
    )


def seed_freeze_windows(now: datetime) -> list[FreezeWindow]:
    """This season's and the next Christmas and Easter freezes (all services). Idempotent by name."""
    year = now.astimezone(OSLO).year
    periods = [_christmas(year - 1), _easter(year), _christmas(year), _easter(year + 1)]
    windows = []
    for name, start, end, reason in periods:
        window, _created = FreezeWindow.objects.get_or_create(
            name=name, defaults={"start": start, "end": end, "reason": reason}
        )
        windows.append(window)
    return windows


# --- changes -------------------------------------------------------------------------------------

# The risk questionnaire (changes/migrations/0002_defaults.py), in its order: tier-1 service;
# users lose the service; hard to back out; new or failed before; not tested; integrations.
QUESTION_COUNT = 6


@dataclass(frozen=True)
class DemoChange:
    title: str
    services: tuple[str, ...]  # exact service names (servicedesk/demo.py)
    group: str  # the implementer group: the team that owns what is changed
    answers: tuple[bool, bool, bool, bool, bool, bool]
    impact: int  # 1 high … 3 low
    description: str
    implementation_plan: str
    backout_plan: str


CORE_SWITCH = DemoChange(
    "Bytte kjernesvitsj i bygg B",
    ("Fysisk nettverk",),
    "Nettverk",
    # Tier 1, every system in the building is cut off while it is swapped, integrations too;
    # the old switch stays racked, so backing out is a re-patch: medium risk.
    (True, True, False, False, False, True),
    1,
    "Kjernesvitsjen i bygg B er ute av support og har hatt to minnefeil i år. Den byttes mot ny "
    "modell med redundant strømforsyning.",
    "Konfigurasjonen er lastet og testet på ny svitsj i lab. 22:00 flyttes opplinker og "
    "aksessvitsjer kabel for kabel etter patcheskjema; sjekk av ruting og VLAN etter hver etasje.",
    "Gamle svitsj står i racket til neste morgen: patch tilbake etter skjemaet (ca. 30 minutter).",
)
EPR_PATCH = DemoChange(
    "Installere sikkerhetsoppdatering i EPJ",
    ("EPJ (elektronisk pasientjournal)",),
    "EPJ",
    # Tier 1, the application servers restart one by one (brief loss for users); tested in test.
    (True, True, False, False, False, False),
    2,
    "Leverandørens kvartalsvise sikkerhetsoppdatering for applikasjonsserverne.",
    "Oppdater app-serverne én og én bak lastbalansereren; røyktest med superbrukere etter hver.",
    "Rull tilbake til forrige versjon med leverandørens skript; øyeblikksbilde tas før start.",
)
EPR_STORAGE = DemoChange(
    "Flytte EPJ-databasen til ny lagringsenhet",
    ("EPJ (elektronisk pasientjournal)", "Server- og databasedrift"),
    "Server- og databasedrift",
    # A data migration on a tier-1 system: hard to back out, and the integrations stop: high.
    (True, True, True, False, False, True),
    1,
    "Databasen flyttes fra lagringsenheten som fases ut i januar.",
    "Stopp integrasjonsmotorens EPJ-køer, kopier databasen, bytt lagring, start og verifiser.",
    "Start databasen på gammel lagring igjen; den slettes først etter en uke.",
)
PACS_VIEWER = DemoChange(
    "Oppgradere PACS-visningen til 12.4",
    ("PACS/RIS",),
    "PACS/RIS",
    (True, False, False, False, False, False),
    2,
    "Ny versjon av bildevisningen med raskere lasting av CT-serier.",
    "Rulles ut til radiologiens arbeidsstasjoner i to puljer.",
    "Forrige versjon ligger i programvaresenteret og kan rulles ut igjen.",
)
MAIL_FILTER = DemoChange(
    "Oppdatere regler i e-postfilteret",
    ("E-post",),
    "Identitet og e-post",
    # Not tier 1, nobody loses mail, the old rule set is one click away: low risk.
    (False, False, False, False, False, False),
    3,
    "Strengere regler mot lenker til falske innloggingssider.",
    "Aktiver nytt regelsett i filteret; følg karantenekøen den første timen.",
    "Aktiver forrige regelsett.",
)


def _evening(now: datetime, days_ahead: int, frozen: list[FreezeWindow], hour: int = 18) -> datetime:
    """The first evening at least `days_ahead` days from now outside every freeze window."""
    day = now.astimezone(OSLO).date() + timedelta(days=days_ahead)
    while any(window.start <= _at(day, hour) < window.end for window in frozen):
        day += timedelta(days=1)
    return _at(day, hour)


def seed_changes(now: datetime, log: Callable[[str], None] = lambda line: None) -> int:
    """Put cab1, manager1 and some resolvers on the boards; seed the freezes; raise a few
    changes (one waiting for cab1's vote, two scheduled that conflict). Idempotent."""
    cab = User.objects.filter(username="cab1").first()
    manager = User.objects.filter(username="manager1").first()
    if cab is None or manager is None or Change.objects.exists():
        return 0
    resolvers = list(User.objects.filter(role=Role.RESOLVER, is_active=True).order_by("id")[:4])
    for board in AdvisoryBoard.objects.all():
        board.members.add(cab, manager, *(resolvers if board.kind == BoardKind.CAB else resolvers[:1]))
    frozen = seed_freeze_windows(now)
    questions = list(RiskQuestion.objects.filter(active=True).order_by("position", "id"))

    def raise_change(spec: DemoChange, **values: Any) -> Change:
        group = AssignmentGroup.objects.filter(name=spec.group).first()
        # Raised by someone in the team that does the work (else the first resolver).
        requester = (group.members.filter(role=Role.RESOLVER).order_by("id").first() if group else None) or (
            resolvers[0] if resolvers else manager
        )
        return services.change_create(
            actor=requester,
            title=spec.title,
            description=spec.description,
            justification="Anbefalt av leverandøren; retter kjente feil.",
            implementation_plan=spec.implementation_plan,
            backout_plan=spec.backout_plan,
            test_plan="Røyktest med kliniske superbrukere.",
            services=list(Service.objects.filter(name__in=spec.services)),
            implementer_group=group,
            impact=spec.impact,
            **values,
        )

    def before_board(spec: DemoChange, start: datetime, hours: int) -> Change:
        change = raise_change(spec, planned_start=start, planned_end=start + timedelta(hours=hours))
        services.change_submit(change=change, actor=change.requester)
        answers = dict.fromkeys((question.pk for question in questions), False)
        answers.update({q.pk: yes for q, yes in zip(questions[:QUESTION_COUNT], spec.answers, strict=False)})
        services.change_assess(change=change, actor=cab, answers=answers, impact=spec.impact)
        services.change_request_approval(change=change, actor=cab)
        change.refresh_from_db()
        return change

    def approve_and_schedule(change: Change) -> None:
        for member in (cab, manager, *resolvers):
            if change.state == State.APPROVED:
                break
            if not services.is_own(member, change):
                services.change_approve(change=change, actor=member)
                change.refresh_from_db()
        assert change.planned_start and change.planned_end  # noqa: S101 -- set by before_board
        services.change_schedule(
            change=change, actor=cab, planned_start=change.planned_start, planned_end=change.planned_end
        )

    created = 0
    try:
        raise_change(PACS_VIEWER)
        created += 1
        # Waiting for cab1's vote (the "waiting for my vote" list): a night's work on the network…
        before_board(CORE_SWITCH, _evening(now, 9, frozen, hour=22), 4)
        created += 1
        before_board(MAIL_FILTER, _evening(now, 3, frozen, hour=16), 1)
        created += 1
        # …and two scheduled changes on the EPR the same evening: a conflict on the calendar.
        patch_start = _evening(now, 6, frozen)
        approve_and_schedule(before_board(EPR_PATCH, patch_start, 2))
        created += 1
        approve_and_schedule(before_board(EPR_STORAGE, patch_start + timedelta(hours=1), 4))
        created += 1
    except DomainError as error:  # demo data must not stop the demo; say what was skipped
        log(f"Changes: stopped early ({error.message}).")
    log(
        f"Changes: {created} demo changes, {len(frozen)} freeze windows; "
        f"boards have {cab} and {manager} as members."
    )
    return created
