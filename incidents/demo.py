"""Demo data of the incidents app: months of ticket history, and what the log-a-call form offers.

`seed_call_options` links each category to the services its kinds of calls use and seeds the
common calls (call_templates.py); `seed_ticket_history` writes the tickets, their events and
comments, drawing people and services from servicedesk.demo's `Organisation`. Called by
`manage.py demo_data`; never run against production data.

Tickets, their events and comments are written directly here, not through incidents.services:
this module *replays* history that happened in the past (with past timestamps), which no service
function can do because every transition is stamped `timezone.now()`. `_Replay` mirrors the
services' field changes one to one, so the rows look exactly like the ones the services write.
They are written with bulk_create so that 3,000 tickets take seconds even on SQLite.
It is a data generator, not an entry point for live changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from servicedesk.demo import (
    CUSTOMER_CENTRE,
    LAB_SERVICES,
    OTHER_CATEGORY,
    TIER_1_SERVICES,
    TRUSTS,
    Organisation,
)
from servicedesk.models import AssignmentGroup, Category, GroupLevel, Service, User

from . import transitions
from .call_templates import seed_call_templates
from .models import (
    Channel,
    Comment,
    EventAction,
    Kind,
    PendingReason,
    PriorityRule,
    ResolutionCode,
    State,
    Ticket,
    TicketEvent,
    format_number,
)

SPAN_DAYS = 425  # fourteen months of history: the monthly report's trends and year over year
# Inquiries by month follow the annual report's curve (2019): fewer in the summer holiday (July),
# at Easter and Christmas, more in January and after the summer.
MONTH_WEIGHTS = {
    1: 1.1, 2: 1.0, 3: 1.05, 4: 0.9, 5: 0.95, 6: 0.95, 7: 0.7, 8: 1.1, 9: 1.1, 10: 1.05, 11: 1.05, 12: 0.85,
}  # fmt: skip

# Local time is used only here, to place events inside the department's working day.
OSLO = ZoneInfo("Europe/Oslo")
WORK_START = time(7, 30)
WORK_END = time(15, 30)


@dataclass(frozen=True)
class Template:
    """A kind of ticket the desk sees: what it is about and how it is usually handled."""

    kind: str
    services: tuple[str, ...]
    category: tuple[str, str]  # (parent, child); child "" for a top-level category
    titles: tuple[str, ...]
    notes: tuple[str, ...]
    weight: float
    first_line_rate: float  # share resolved by the customer centre
    group: str  # second-line group it is escalated to
    further: str = ""  # third-line or vendor group some escalations continue to


def _template(
    kind: str,
    services: str,
    category: str,
    weight: float,
    first_line_rate: float,
    group: str,
    further: str,
    titles: str,
    notes: str,
) -> Template:
    """A Template from the compact table below: lists are " | "-separated, the category is "Parent/Child"."""
    parent, _, child = category.partition("/")
    return Template(
        kind=kind,
        services=tuple(services.split(" | ")),
        category=(parent, child),
        titles=tuple(titles.split(" | ")),
        notes=tuple(notes.split(" | ")),
        weight=weight,
        first_line_rate=first_line_rate,
        group=group,
        further=further,
    )


INC, REQ = Kind.INCIDENT, Kind.REQUEST
# The first-line rates are tuned so that about two thirds of all tickets are resolved at first line
# (69 % in the 2019 report); the weights so that about a third are service requests.
# fmt: off
TEMPLATES: list[Template] = [
    # kind, service(s), category, weight, first-line rate, escalation group, further group; titles; notes
    _template(INC, "Arbeidsflate (PC)", "Maskinvare/PC", 12, 0.75, "Arbeidsflate", "Infrastrukturarkitektur",
        "PC-en på posten starter ikke | PC-en på posten er veldig treg | "
        "Skjermen blir svart etter pålogging | "
        "Tastatur og mus reagerer ikke | Blåskjerm på PC-en på medisinrommet | "
        "Dokkingstasjonen finner ikke den bærbare PC-en",
        "Startet PC-en på nytt og tømte den lokale profilen. | Byttet tastatur fra postens lager. | "
        "Installerte driveren til dokkingstasjonen på nytt via fjernstyring. | "
        "Reinstallerte PC-en; brukerens data ligger på hjemmeområdet."),
    _template(REQ, "Brukerkontoer og tilganger", "Tilgang/Nytt passord", 20, 0.97, "Tilgangsstyring", "",
        "Glemt passord | Passordet er utløpt, kommer ikke inn | Kontoen er låst etter for mange forsøk | "
        "Kommer ikke inn på Windows etter ferien",
        "Identitet bekreftet på telefon; nytt passord satt, må byttes ved neste pålogging. | "
        "Kontoen låst opp etter kontroll av identitet."),
    _template(REQ, "Brukerkontoer og tilganger", "Tilgang/Ny tilgang", 8, 0.65, "Tilgangsstyring", "",
        "Tilgang til DIPS for nyansatt | Tilgang til Sectra PACS for vikarlege | "
        "Tilgang til fellesområdet for Kirurgisk klinikk | Ny brukerkonto til sommervikar | "
        "Forlenge tilgang for sykepleierstudent | Tilgang til laboratoriesystemet for ny bioingeniør",
        "Tilgang gitt som bestilt av leder. | Konto opprettet og tilgangsroller tildelt."),
    _template(INC, "EPJ (elektronisk pasientjournal)", "Programvare/Klinisk applikasjon", 8, 0.65,
        "EPJ", "DIPS (leverandør)",
        "DIPS henger når jeg åpner en pasientjournal | Får ikke signert notater i DIPS | "
        "Feil ved utskrift av epikrise fra DIPS | Kurven oppdateres ikke i DIPS | "
        "Pålogging til DIPS Arena feiler med sertifikatfeil",
        "Tømte DIPS-klientens hurtigbuffer og registrerte sertifikatet på nytt. | "
        "Kjent feil; leverandørens rettelse er installert. | Rettet brukerens rolle i DIPS."),
    _template(INC, "PACS/RIS", "Programvare/Klinisk applikasjon", 4, 0.4, "PACS/RIS", "Sectra (leverandør)",
        "Bilder lastes ikke i Sectra PACS | Arbeidslisten i RIS er tom | "
        "Får ikke åpnet røntgenbilder fra posten | Radiologisvar mangler i RIS",
        "Startet bildestrømmetjenesten på PACS-serveren på nytt. | "
        "Tilbakestilte brukerens PACS-profil; bildene lastes igjen. | "
        "Leverandøren rettet filteret på arbeidslisten."),
    _template(INC, " | ".join(LAB_SERVICES), "Programvare/Klinisk applikasjon", 4, 0.35,
        "Laboratoriesystemer", "",
        "Prøvesvar overføres ikke til EPJ | Etikettskriveren på laben skriver ut blanke etiketter | "
        "Prøveregistrering feiler i LIMS | Analysemaskinen har sluttet å sende svar",
        "Startet grensesnittet mot analysemaskinen på nytt; svar i kø ble sendt. | "
        "Byttet etikettrull og kalibrerte. | Rettet koblingen av rekvisisjonskoder."),
    _template(INC, "Pasientadministrativt system (PAS)", "Programvare/Klinisk applikasjon", 3, 0.5,
        "Pasientadministrasjon", "DIPS (leverandør)",
        "Får ikke booket poliklinisk time | Finner ikke pasienten i PAS | "
        "Henvisning står fast i innkommende kø | Feil post vises for innlagt pasient",
        "Slo sammen den doble pasientposten. | Frigjorde henvisningen fra køen. | "
        "Rettet oppholdet; posten vises riktig."),
    _template(INC, "Fysisk nettverk", "Nettverk/Kablet", 3, 0.45, "Nettverk", "Infrastrukturarkitektur",
        "Ikke nett på PC-ene på posten | Nettverkskontakten på kontoret virker ikke | "
        "Svært tregt nett på radiologisk avdeling",
        "Patchet kontakten til riktig VLAN. | Byttet en defekt svitsjport."),
    _template(INC, "Fysisk nettverk", "Nettverk/Trådløst", 2, 0.65, "Nettverk", "",
        "Trådløst nett faller ut på poliklinikken | Får ikke koblet nettbrettet til sykehusets trådløse nett",
        "Registrerte enhetssertifikatet for trådløst nett på nytt. | "
        "Startet aksesspunktet på nytt på en ledig kanal."),
    _template(INC, "Telefoni", "Telefoni/Fasttelefon", 3, 0.6, "Telefoni", "",
        "Ingen summetone på fasttelefonen | Får ikke satt over samtaler til posten | "
        "DECT-alarmtelefonen ringer ikke | Kommer ikke inn på talepostkassen",
        "Registrerte telefonen på nytt. | Rettet viderekoblingen i sentralbordet."),
    _template(INC, "Mobiltelefoner", "Telefoni/Mobiltelefon", 2, 0.7, "Mobile enheter", "",
        "Jobbmobilen får ikke e-post | Knust skjerm på mobiltelefonen",
        "Meldte telefonen inn i enhetsstyringen på nytt. | Ny telefon sendt til posten."),
    _template(INC, "Utskrift", "Utskrift", 8, 0.85, "Utskrift", "",
        "Skriveren på posten skriver ikke ut | Skriveren melder papirstopp, men det er ikke noe papir fast | "
        "Får ikke lagt til skriveren på posten | Armbåndskriveren skriver utydelig",
        "Tømte utskriftskøen og startet skriveren på nytt. | La til skriveren fra utskriftsserveren. | "
        "Byttet skrivehodet."),
    _template(INC, "E-post", "Programvare/Kontorprogram", 5, 0.85, "Identitet og e-post", "",
        "Outlook starter ikke | Fellespostkassen mangler i Outlook | "
        "E-post til ekstern mottaker kom i retur | Kalenderen synkroniseres ikke til telefonen",
        "Reparerte Outlook-profilen. | La til fellespostkassen på nytt. | Mottakeradressen rettet."),
    _template(INC, "Kontorstøtte (Office)", "Programvare/Kontorprogram", 4, 0.9, "Applikasjoner", "",
        "Word krasjer når jeg åpner et dokument | Excel-filen åpnes skrivebeskyttet | Ingen lyd i Teams-møte",
        "Reparerte Office-installasjonen. | Frigjorde låsen på filen. | Valgte riktig lydenhet."),
    _template(INC, "AMK-systemer", "Programvare/Klinisk applikasjon", 1, 0.15, "AMK-systemer", "",
        "Kartet i AMK oppdaterer ikke posisjonen til bilene | AMK-systemet er tregt på akuttmottakssentralen",
        "Startet posisjonsstrømmen på nytt. | Økte kapasiteten på databaseserveren til AMK."),
    _template(INC, "Legevaktsystemer", "Programvare/Klinisk applikasjon", 1, 0.2,
        "Legevaktsystemer", "",
        "Legevakten får ikke åpnet pasientjournalen | Telefonkøen på legevakten ruter ikke samtaler",
        "Fornyet sertifikatet for integrasjonen. | Rettet rutingen i køen."),
    _template(INC, "Fjerntilgang (VPN)", "Nettverk/VPN", 2, 0.85, "Nettverk", "",
        "VPN kobler ikke til hjemmefra | Kodebrikken for fjerntilgang virker ikke",
        "Utstedte ny kodebrikke. | Installerte VPN-klienten på nytt."),
    _template(INC, "Intranett", "Annet", 1, 0.85, "Applikasjoner", "",
        "Siden på intranettet viser en feilmelding | Finner ikke prosedyren på intranettet",
        "Viste brukeren hvor dokumentet ligger. | Rettet den døde lenken."),
    _template(INC, "E-post", "Annet", 2, 0.8, "Sikkerhetssenteret", "",
        "Mistenkelig e-post mottatt (phishing?) | Klikket på en lenke i en mistenkelig e-post",
        "Brukeren bedt om å slette meldingen; avsenderen er blokkert. | "
        "Nytt passord og påloggingsøkter avsluttet for sikkerhets skyld."),
    _template(REQ, "Arbeidsflate (PC)", "Maskinvare/Periferiutstyr", 4, 0.45, "Arbeidsflate", "",
        "Nytt tastatur og mus | Ekstra skjerm til kontoret | Hodesett til telefonsamtaler | "
        "Ny bærbar PC til nyansatt",
        "Levert på posten. | Utstyret er levert og satt opp."),
    _template(REQ, "Kontorstøtte (Office)", "Programvare/Kontorprogram", 2, 0.6, "Arbeidsflate", "",
        "Installere Adobe Acrobat | Installere statistikkprogram (SPSS)",
        "Installert fra programvaresenteret."),
    _template(REQ, "Mobiltelefoner", "Telefoni/Mobiltelefon", 2, 0.5, "Mobile enheter", "",
        "Ny jobbmobil | Flytte telefonnummeret til nytt SIM-kort",
        "Telefonen er levert og innmeldt. | SIM-kortet er aktivert."),
    _template(REQ, "E-post", "Tilgang/Ny tilgang", 2, 0.7, "Identitet og e-post", "",
        "Tilgang til en fellespostkasse | Ny distribusjonsliste for posten",
        "Tilgang gitt. | Distribusjonslisten er opprettet."),
    _template(REQ, "Utskrift", "Utskrift", 1, 0.2, "Utskrift", "",
        "Koble til ny skriver på posten",
        "Skriveren er installert på utskriftsserveren."),
]
# fmt: on

# Alerts that monitoring logs straight into the owner group's queue.
MONITORING_ALERTS: list[tuple[str, str]] = [
    ("Fysisk nettverk", "Svitsj svarer ikke i bygg {n}"),
    ("Server- og databasedrift", "Under 10 % ledig diskplass på databaseserver db{n}"),
    ("Integrasjonsmotor", "HL7-meldingskøen over terskelverdi"),
    ("PACS/RIS", "Svartid fra PACS-arkivet over terskelverdi"),
    ("EPJ (elektronisk pasientjournal)", "EPJ-applikasjonsserver app{n} svarer ikke"),
]
MAJOR_TITLES: dict[str, str] = {
    "Arbeidsflate (PC)": "Pålogging til PC-er feiler i hele sykehuset",
    "PACS/RIS": "PACS utilgjengelig: bilder lastes ikke for noen",
    "LIMS Mikrobiologi": "Laboratoriesystemet for mikrobiologi er nede",
    "LIMS Klinisk kjemi": "Prøvesvar fra klinisk kjemi kommer ikke fram til EPJ",
    "LIMS Patologi": "Laboratoriesystemet for patologi er utilgjengelig",
    "LIMS Blodbank": "Blodbanksystemet er utilgjengelig",
    "Pasientadministrativt system (PAS)": "PAS utilgjengelig: pasienter kan ikke legges inn",
    "Fysisk nettverk": "Nettverksbrudd i hovedbygget",
    "EPJ (elektronisk pasientjournal)": "DIPS er nede for alle brukere",
    "Telefoni": "Sentralbordet er nede: ingen innkommende samtaler",
    "AMK-systemer": "AMK-systemet er ustabilt",
    "Legevaktsystemer": "Legevaktene får ikke åpnet journaler",
}

ASK_CUSTOMER = (
    "Kan du oppgi PC-navnet? Det står på klistremerket foran på maskinen, f.eks. {pc}.",
    "Skjer dette også på andre PC-er på posten?",
    "Logg ut og inn igjen, og si fra om feilen fortsatt er der.",
    "Kan du sende oss et skjermbilde av feilmeldingen?",
    "Hvem er lederen som godkjenner denne bestillingen?",
)
CUSTOMER_REPLIES = (
    "PC-navnet er {pc}.",
    "Ja, det skjer på alle PC-ene i rommet.",
    "Fortsatt det samme etter ny pålogging.",
    "Skjermbilde sendt på e-post.",
    "Lederen min har godkjent det.",
)
INTERNAL_NOTES = (
    "Sjekket hendelsesloggen: profiltjenesten feilet ved pålogging.",
    "Samme feil meldt fra en annen post; følger med på om det er et mønster.",
    "Startet applikasjonsserver node 2 på nytt.",
    "Gjenskapte feilen på en test-PC.",
    "Sjekket med posten; feilen oppstår ved vaktskifte.",
)
THIRD_PARTY_NOTES = (
    "Sak meldt til leverandøren, deres referanse {ref}.",
    "Venter på rettelse fra leverandøren, ventet denne uken.",
    "Venter på reservedel fra leverandøren.",
)
REOPEN_REASONS = (
    "Det virker ikke igjen.",
    "Den samme feilen kom tilbake i morges.",
    "Bare halvparten ble gjort.",
)

# --- working time --------------------------------------------------------------------------


def _window(day: date) -> tuple[datetime, datetime] | None:
    """The day's working interval in UTC (local 07:30–15:30 converted), or None at weekends.

    Public holidays are ignored: this only shapes demo data, it is not the SLA calendar.
    """
    if day.weekday() >= 5:
        return None
    start = datetime.combine(day, WORK_START, tzinfo=OSLO).astimezone(UTC)
    end = datetime.combine(day, WORK_END, tzinfo=OSLO).astimezone(UTC)
    return start, end


def add_working_minutes(start: datetime, minutes: float) -> datetime:
    """The instant `minutes` of working time after `start` (the clock stops outside 07:30–15:30)."""
    remaining = timedelta(minutes=minutes)
    current = start.astimezone(UTC)
    day = current.astimezone(OSLO).date()
    while True:
        window = _window(day)
        if window is not None:
            begin, end = window
            current = max(current, begin)
            if current < end:
                if current + remaining <= end:
                    return current + remaining
                remaining -= end - current
        day += timedelta(days=1)


def is_working_time(at: datetime) -> bool:
    window = _window(at.astimezone(OSLO).date())
    return window is not None and window[0] <= at < window[1]


# --- replaying history ---------------------------------------------------------------------


@dataclass
class _EventRow:
    at: datetime
    actor: User | None
    action: str
    field_name: str = ""
    old: str = ""
    new: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    internal: bool = False
    comment: _CommentRow | None = None


@dataclass
class _CommentRow:
    at: datetime
    author: User
    body: str
    internal: bool
    saved: Comment | None = None


class _Replay:
    """One ticket's history, applied to an unsaved Ticket through the same transition rules as
    the services (incidents/transitions.py), collecting the events and comments."""

    def __init__(self, ticket: Ticket) -> None:
        self.ticket = ticket
        self.events: list[_EventRow] = []
        self.comments: list[_CommentRow] = []

    def _step(self, at: datetime, actor: User | None, step: transitions.Step) -> None:
        for change in transitions.apply(self.ticket, step.values):
            if change.field not in transitions.UNRECORDED_FIELDS:
                old, new = transitions.history_value(change.old), transitions.history_value(change.new)
                details = transitions.event_details(change, step.details)
                self.events.append(_EventRow(at, actor, step.action, change.field, old, new, details))
        self.ticket.updated_at = at

    def create(self, at: datetime, actor: User | None) -> None:
        # new_value (the ticket number) is filled in once the ticket has its id.
        details = transitions.created_details(self.ticket)
        self.events.append(_EventRow(at, actor, EventAction.CREATED, details=details))

    def claim(self, at: datetime, actor: User) -> None:
        self._step(at, actor, transitions.claim(self.ticket, actor=actor, now=at))

    def assign(self, at: datetime, actor: User, group: AssignmentGroup, assignee: User | None = None) -> None:
        self._step(at, actor, transitions.assign(self.ticket, group=group, assignee=assignee, now=at))

    def start(self, at: datetime, actor: User) -> None:
        self._step(at, actor, transitions.start(self.ticket, actor=actor))

    def pend(self, at: datetime, actor: User, reason: str) -> None:
        self._step(at, actor, transitions.pend(self.ticket, reason=reason))

    def resolve(self, at: datetime, actor: User, code: str, note: str) -> None:
        self._step(at, actor, transitions.resolve(self.ticket, actor=actor, code=code, note=note, now=at))

    def reopen(self, at: datetime, actor: User, reason: str) -> None:
        self._step(at, actor, transitions.reopen(self.ticket, reason=reason, now=at))

    def close(self, at: datetime, actor: User | None) -> None:
        self._step(at, actor, transitions.close(self.ticket, now=at))

    def comment(self, at: datetime, author: User, body: str, internal: bool = False) -> None:
        row = _CommentRow(at, author, body, internal)
        self.comments.append(row)
        self.events.append(_EventRow(at, author, EventAction.COMMENTED, internal=internal, comment=row))
        self.ticket.updated_at = at


# The state a ticket is in after each kind of step (comments change nothing).
_STATE_AFTER = {
    "create": State.NEW,
    "claim": State.IN_PROGRESS,
    "assign": State.ASSIGNED,
    "start": State.IN_PROGRESS,
    "pend": State.PENDING,
    "resolve": State.RESOLVED,
    "reopen": State.IN_PROGRESS,
    "close": State.CLOSED,
}


@dataclass
class _Step:
    at: datetime
    action: Callable[..., None]  # a _Replay method, called as action(replay, at, *args)
    args: tuple[Any, ...]

    @property
    def name(self) -> str:
        return self.action.__name__


@dataclass
class _Plan:
    """What will happen to one ticket; only the first `cut` steps (those before now) happen."""

    ticket: Ticket
    parent: _Plan | None = None
    pinned: bool = False  # part of a major incident: never cut short to fill a queue
    steps: list[_Step] = field(default_factory=list)
    cut: int = 0

    def add(self, at: datetime, action: Callable[..., None], *args: Any) -> datetime:
        """Queue a step; returns its time, kept strictly after the previous step's."""
        if self.steps:
            at = max(at, self.steps[-1].at + timedelta(seconds=1))
        self.steps.append(_Step(at, action, args))
        return at

    def state_at(self, cut: int) -> str:
        state: str = State.NEW
        for step in self.steps[:cut]:
            state = _STATE_AFTER.get(step.name, state)
        return state

    @property
    def final_state(self) -> str:
        return self.state_at(self.cut)

    def replay(self) -> _Replay:
        replay = _Replay(self.ticket)
        for step in self.steps[: self.cut]:
            step.action(replay, step.at, *step.args)
        return replay


# --- the generator -------------------------------------------------------------------------


def seed_call_options(org: Organisation) -> None:
    """The categories offered per service when a call is logged, and the common calls."""
    # Those its kinds of calls use (and their parents); the catch-all stays offered for every service.
    for template in TEMPLATES:
        parent_name, child = template.category
        if parent_name == OTHER_CATEGORY:
            continue
        services = [org.services[name] for name in template.services]
        for key in {(parent_name, ""), (parent_name, child)}:
            org.categories[key].services.add(*services)
    seed_call_templates(services=org.services, categories=org.categories)


def seed_ticket_history(org: Organisation, count: int, *, now: datetime, log: Callable[[str], None]) -> int:
    """About `count` tickets over the past months, with their events and comments; returns how many."""
    return _TicketHistory(org, now=now, log=log).tickets(count)


class _TicketHistory:
    def __init__(self, org: Organisation, *, now: datetime, log: Callable[[str], None]) -> None:
        self.org = org
        self.rng = org.rng  # the organisation's: the history goes on from where the people stopped
        self.now = now
        self.log = log
        # The matrix is seeded by a migration and may have been edited since; use what is there.
        self.matrix = {(rule.impact, rule.urgency): rule.priority for rule in PriorityRule.objects.all()}

    def minutes(self, median: float, low: float, high: float) -> float:
        """A log-normal duration around `median` minutes, clipped: most short, some long."""
        return min(high, max(low, self.rng.lognormvariate(0, 0.9) * median))

    def later(self, at: datetime, minutes: float, *, around_the_clock: bool = False) -> datetime:
        if around_the_clock:
            return at + timedelta(minutes=minutes)
        return add_working_minutes(at, minutes)

    def created_at(self, *, working_hours: bool = False) -> datetime:
        """Mostly weekdays 07:30–15:30 Oslo time with a morning peak; hospitals call at night too."""
        rng = self.rng
        today = self.now.astimezone(OSLO).date()
        for _ in range(50):
            day = today - timedelta(days=rng.randrange(SPAN_DAYS))
            if rng.random() * 1.1 > MONTH_WEIGHTS[day.month]:
                continue
            weekend = day.weekday() >= 5
            if weekend and (working_hours or rng.random() > 0.15):
                continue
            if working_hours or (not weekend and rng.random() < 0.88):
                hours = rng.triangular(7.5, 15.5, 9.5)
            else:
                hours = rng.uniform(0, 24)
            # Local wall-clock time → UTC (a time in the spring-forward gap just shifts by an hour).
            at = (datetime.combine(day, time(0), tzinfo=OSLO) + timedelta(hours=hours)).astimezone(UTC)
            if at < self.now:
                return at.replace(microsecond=0)
        return self.now - timedelta(minutes=rng.uniform(5, 60))

    def impact_urgency(self, service: Service) -> tuple[int, int]:
        rng = self.rng
        impact = rng.choices((1, 2, 3), (0.03, 0.3, 0.67))[0]
        urgency = rng.choices((1, 2, 3), (0.2, 0.5, 0.3) if service.tier == 1 else (0.05, 0.35, 0.6))[0]
        if impact == urgency == 1:  # P1 on a tier-1 service is a major incident; those are made apart
            urgency = 2
        return impact, urgency

    def new_ticket(
        self,
        *,
        kind: str,
        caller: User,
        created_by: User,
        channel: str,
        service: Service,
        category: Category,
        impact: int,
        urgency: int,
        title: str,
        description: str,
        group: AssignmentGroup,
        at: datetime,
        major: bool = False,
    ) -> Ticket:
        return Ticket(
            kind=kind,
            caller=caller,
            created_by=created_by,
            channel=channel,
            service=service,
            category=category,
            impact=impact,
            urgency=urgency,
            priority=self.matrix.get((impact, urgency), 4),
            title=title,
            description=description,
            state=State.NEW,
            assignment_group=group,
            queue_entered_at=at,
            major_incident=major,
            major_declared_at=at if major else None,
            created_at=at,
            updated_at=at,
        )

    def description(self, caller: User, pc: str) -> str:
        where = f"{caller.department}, {caller.trust}" if caller.trust_id else "IT"
        return self.rng.choice(
            (
                f"Meldt av {caller.get_full_name()} ({where}). PC {pc}.",
                f"{caller.get_full_name()}, {where}, telefon {caller.phone}. Det startet i morges.",
                f"Innringer: {caller.get_full_name()} ({where}). Gjelder hele teamet.",
                f"{where}. Brukeren har allerede prøvd å starte på nytt. PC {pc}.",
            )
        )

    def pc_name(self, caller: User) -> str:
        prefix = next(
            (
                p
                for _, code, p, _ in TRUSTS
                if caller.trust_id and self.org.trusts[code].pk == caller.trust_id
            ),
            "IKT",
        )
        return f"{prefix}-{self.rng.randrange(100000, 999999)}"

    # -- ticket lifecycles --

    def regular(self) -> _Plan:
        """An everyday ticket: logged at the customer centre, solved there or escalated."""
        rng = self.rng
        template = rng.choices(TEMPLATES, [t.weight for t in TEMPLATES])[0]
        service = self.org.services[rng.choice(template.services)]
        channels = (Channel.PHONE, Channel.EMAIL, Channel.PORTAL, Channel.WALK_IN)
        weights = (62, 16, 15, 7) if template.kind == Kind.INCIDENT else (42, 20, 33, 5)
        channel = rng.choices(channels, weights)[0]
        caller, agent, at = self.org.caller(), self.org.agent(), self.created_at()
        impact, urgency = self.impact_urgency(service)
        pc = self.pc_name(caller)
        by_phone = channel in (Channel.PHONE, Channel.WALK_IN)
        logger = agent if by_phone else caller
        plan = _Plan(
            self.new_ticket(
                kind=template.kind,
                caller=caller,
                created_by=logger,
                channel=channel,
                service=service,
                category=self.org.categories[template.category],
                impact=impact,
                urgency=urgency,
                title=rng.choice(template.titles),
                description=self.description(caller, pc),
                group=self.org.groups[CUSTOMER_CENTRE],
                at=at,
            )
        )
        plan.add(at, _Replay.create, logger)
        first_line = rng.random() < template.first_line_rate
        code, note = self.resolution_code(template.kind), rng.choice(template.notes)
        if by_phone and first_line and rng.random() < 0.7:
            # Solved during the call: logged and resolved in one go (services.log_call).
            done = plan.add(at + timedelta(seconds=rng.uniform(20, 240)), _Replay.resolve, agent, code, note)
            self.after_resolution(plan, done, agent, caller, template)
            return plan
        if by_phone and not first_line and rng.random() < 0.6:
            t = at + timedelta(seconds=rng.uniform(30, 300))  # escalated from the call, never claimed here
        else:
            if by_phone:
                t = at + timedelta(seconds=rng.uniform(1, 5))
            elif is_working_time(at):
                t = at + timedelta(minutes=self.minutes(12, 1, 240))
            else:  # e-mail and portal tickets wait for the morning shift
                t = self.later(at, self.minutes(20, 1, 120))
            t = plan.add(t, _Replay.claim, agent)
            if first_line:
                t = self.maybe_wait_for_customer(plan, t, agent, caller, pc, chance=0.12)
                done = plan.add(self.later(t, self.minutes(20, 3, 240)), _Replay.resolve, agent, code, note)
                self.after_resolution(plan, done, agent, caller, template)
                return plan
            t = self.later(t, self.minutes(8, 1, 60))
        resolver, done = self.second_line(plan, t, agent, caller, template, code, note, pc)
        self.after_resolution(plan, done, resolver, caller, template)
        return plan

    def second_line(
        self,
        plan: _Plan,
        t: datetime,
        actor: User,
        caller: User,
        template: Template,
        code: str,
        note: str,
        pc: str,
    ) -> tuple[User, datetime]:
        """Escalate to the template's group; claim, maybe wait, maybe go further; resolve."""
        rng = self.rng
        group = self.org.groups[template.group]
        urgent = plan.ticket.priority <= 2
        resolver = self.org.member(group.name)
        if rng.random() < 0.1:  # handed to a named resolver, who starts on it later
            t = plan.add(t, _Replay.assign, actor, group, resolver)
            t = plan.add(self.later(t, self.minutes(60, 5, 960)), _Replay.start, resolver)
        else:
            t = plan.add(t, _Replay.assign, actor, group)
            wait = self.minutes(20, 2, 90) if urgent else self.minutes(90, 5, 1440)
            t = plan.add(self.later(t, wait), _Replay.claim, resolver)
        if rng.random() < 0.35:
            t = plan.add(
                self.later(t, self.minutes(30, 2, 240)),
                _Replay.comment,
                resolver,
                rng.choice(INTERNAL_NOTES),
                True,
            )
        if template.further and rng.random() < 0.2:
            further = self.org.groups[template.further]
            body = (
                rng.choice(THIRD_PARTY_NOTES).format(ref=rng.randrange(10000, 99999))
                if further.level == GroupLevel.VENDOR
                else "Krever endring i infrastrukturen; eskalerer."
            )
            t = plan.add(self.later(t, self.minutes(120, 10, 960)), _Replay.comment, resolver, body, True)
            t = plan.add(t, _Replay.assign, resolver, further)
            resolver = self.org.member(further.name)
            t = plan.add(self.later(t, self.minutes(240, 10, 2880)), _Replay.claim, resolver)
        if rng.random() < 0.3:
            if rng.random() < 0.6:
                t = self.maybe_wait_for_customer(plan, t, resolver, caller, pc, chance=1.0)
            else:
                body = rng.choice(THIRD_PARTY_NOTES).format(ref=rng.randrange(10000, 99999))
                t = plan.add(self.later(t, self.minutes(60, 5, 480)), _Replay.comment, resolver, body, True)
                t = plan.add(t, _Replay.pend, resolver, PendingReason.THIRD_PARTY)
                days = rng.uniform(10, 40) if rng.random() < 0.1 else rng.uniform(1, 8)
                t = plan.add(t + timedelta(days=days), _Replay.start, resolver)
        # About a third of escalations outlast the resolution deadline: ≈ 90 % of all tickets are
        # resolved within it, as in the department's 2019 figures (DESIGN.md).
        late = rng.random() < 0.45
        if urgent:
            work = self.minutes(700, 500, 2000) if late else self.minutes(60, 10, 360)
        else:
            work = self.minutes(5000, 2000, 12000) if late else self.minutes(300, 15, 4800)
        done = plan.add(self.later(t, work), _Replay.resolve, resolver, code, note)
        return resolver, done

    def maybe_wait_for_customer(
        self, plan: _Plan, t: datetime, agent: User, caller: User, pc: str, *, chance: float
    ) -> datetime:
        """Ask the caller something, pend until they answer, then carry on."""
        rng = self.rng
        if rng.random() >= chance:
            return t
        i = rng.randrange(len(ASK_CUSTOMER))
        t = plan.add(
            self.later(t, self.minutes(15, 1, 120)), _Replay.comment, agent, ASK_CUSTOMER[i].format(pc=pc)
        )
        t = plan.add(t, _Replay.pend, agent, PendingReason.CUSTOMER)
        t = plan.add(
            t + timedelta(hours=rng.uniform(0.3, 48)),
            _Replay.comment,
            caller,
            CUSTOMER_REPLIES[i].format(pc=pc),
        )
        return plan.add(self.later(t, self.minutes(30, 2, 480)), _Replay.start, agent)

    def after_resolution(
        self, plan: _Plan, done: datetime, resolver: User, caller: User, template: Template
    ) -> None:
        """A few are reopened by the caller; all are closed when the reopen window has passed."""
        rng = self.rng
        if rng.random() < 0.03:
            reason = rng.choice(REOPEN_REASONS)
            t = plan.add(done + timedelta(hours=rng.uniform(2, 60)), _Replay.comment, caller, reason)
            t = plan.add(t, _Replay.reopen, caller, reason)
            done = plan.add(
                self.later(t, self.minutes(120, 10, 960)),
                _Replay.resolve,
                resolver,
                ResolutionCode.SOLVED,
                rng.choice(template.notes),
            )
        self.auto_close(plan, done)

    def auto_close(self, plan: _Plan, resolved: datetime) -> None:
        """The hourly beat task closes a resolved ticket once the reopen window has passed."""
        window = timedelta(days=settings.AUTO_CLOSE_AFTER_DAYS)
        plan.add(resolved + window + timedelta(minutes=self.rng.uniform(0, 60)), _Replay.close, None)

    def resolution_code(self, kind: str) -> str:
        if kind == Kind.REQUEST:
            return self.rng.choices((ResolutionCode.FULFILLED, ResolutionCode.CANCELLED), (92, 8))[0]
        return self.rng.choices(
            (
                ResolutionCode.SOLVED,
                ResolutionCode.WORKAROUND,
                ResolutionCode.NOT_REPRODUCIBLE,
                ResolutionCode.DUPLICATE,
                ResolutionCode.CANCELLED,
            ),
            (68, 17, 7, 3, 5),
        )[0]

    def monitored(self, monitoring: User) -> _Plan:
        """An alert from monitoring, logged straight into the owner group's queue."""
        rng = self.rng
        service_name, title = rng.choice(MONITORING_ALERTS)
        service = self.org.services[service_name]
        group = service.owner_group
        at = self.created_at()
        impact, urgency = rng.choice(((2, 2), (2, 3), (3, 2), (2, 1)))
        plan = _Plan(
            self.new_ticket(
                kind=Kind.INCIDENT,
                caller=monitoring,
                created_by=monitoring,
                channel=Channel.MONITORING,
                service=service,
                category=self.org.categories[("Annet", "")],
                impact=impact,
                urgency=urgency,
                title=title.format(n=rng.randrange(1, 40)),
                description="Varsel fra overvåkingssystemet.",
                group=group,
                at=at,
            )
        )
        plan.add(at, _Replay.create, monitoring)
        urgent = plan.ticket.priority <= 2  # P1 and P2 are worked around the clock
        resolver = self.org.member(group.name)
        t = plan.add(
            self.later(at, self.minutes(20 if urgent else 60, 2, 960), around_the_clock=urgent),
            _Replay.claim,
            resolver,
        )
        note = rng.choice(
            ("Slettet gamle loggfiler.", "Startet tjenesten på nytt.", "Byttet over til reservenoden.")
        )
        done = plan.add(
            self.later(t, self.minutes(45, 5, 480), around_the_clock=urgent),
            _Replay.resolve,
            resolver,
            ResolutionCode.SOLVED,
            note,
        )
        self.auto_close(plan, done)
        return plan

    def major(self, children: int, monitoring: User) -> list[_Plan]:
        """A major incident (P1 on a tier-1 service), worked around the clock, and the calls about it."""
        rng = self.rng
        service = self.org.services[rng.choice(list(TIER_1_SERVICES))]
        group = service.owner_group
        category = self.org.categories[("Programvare", "Klinisk applikasjon")]
        at = self.created_at(working_hours=rng.random() < 0.7)
        agent = self.org.agent()
        by_monitoring = rng.random() < 0.4
        logger = monitoring if by_monitoring else agent
        plan = _Plan(
            self.new_ticket(
                kind=Kind.INCIDENT,
                caller=monitoring if by_monitoring else self.org.caller(),
                created_by=logger,
                channel=Channel.MONITORING if by_monitoring else Channel.PHONE,
                service=service,
                category=category,
                impact=1,
                urgency=1,
                title=MAJOR_TITLES[service.name],
                description="Mange brukere berørt. Alvorlig hendelse erklært.",
                group=group if by_monitoring else self.org.groups[CUSTOMER_CENTRE],
                at=at,
                major=True,
            ),
            pinned=True,
        )
        t = plan.add(at, _Replay.create, logger)
        if not by_monitoring:
            t = plan.add(t + timedelta(minutes=rng.uniform(1, 4)), _Replay.assign, agent, group)
        resolver = self.org.member(group.name)
        t = plan.add(t + timedelta(minutes=rng.uniform(2, 12)), _Replay.claim, resolver)
        t = plan.add(
            t + timedelta(minutes=rng.uniform(5, 20)),
            _Replay.comment,
            resolver,
            "Vi kjenner til feilen og jobber med den. Neste oppdatering innen 30 minutter.",
        )
        t = plan.add(
            t + timedelta(minutes=rng.uniform(10, 40)),
            _Replay.comment,
            resolver,
            "Krisemøte på telefon med vakthavende teknikere; en node som har feilet ser ut til å være årsak.",
            True,
        )
        done = plan.add(
            t + timedelta(minutes=rng.uniform(45, 300)),
            _Replay.resolve,
            resolver,
            ResolutionCode.SOLVED,
            "Noden er byttet og tjenesten gjenopprettet; rotårsaken følges opp i problemhåndteringen.",
        )
        self.auto_close(plan, done)
        plans = [plan]
        for _ in range(children):
            # Calls about the outage while it lasts: linked to the major incident, on hold until it is fixed.
            caller, child_agent = self.org.caller(), self.org.agent()
            c_at = at + timedelta(
                minutes=rng.uniform(3, max(4.0, min(90.0, (done - at).total_seconds() / 60)))
            )
            child = _Plan(
                self.new_ticket(
                    kind=Kind.INCIDENT,
                    caller=caller,
                    created_by=child_agent,
                    channel=Channel.PHONE,
                    service=service,
                    category=category,
                    impact=2,
                    urgency=1,
                    title=f"{service.name} virker ikke",
                    description=self.description(caller, self.pc_name(caller)),
                    group=self.org.groups[CUSTOMER_CENTRE],
                    at=c_at,
                ),
                parent=plan,
                pinned=True,
            )
            t = child.add(c_at, _Replay.create, child_agent)
            t = child.add(t + timedelta(seconds=rng.uniform(1, 5)), _Replay.claim, child_agent)
            t = child.add(
                t + timedelta(minutes=rng.uniform(1, 3)),
                _Replay.comment,
                child_agent,
                "Knyttet til den alvorlige hendelsen; innringer får beskjed når feilen er rettet.",
                True,
            )
            t = child.add(t, _Replay.pend, child_agent, PendingReason.THIRD_PARTY)
            t = child.add(max(t, done) + timedelta(minutes=rng.uniform(2, 20)), _Replay.start, child_agent)
            c_done = child.add(
                t + timedelta(minutes=rng.uniform(1, 10)),
                _Replay.resolve,
                child_agent,
                ResolutionCode.SOLVED,
                "Rettet sammen med den alvorlige hendelsen; innringer bekrefter at det virker.",
            )
            self.auto_close(child, c_done)
            plans.append(child)
        return plans

    # -- putting it together --

    def fill_queues(self, plans: Sequence[_Plan], minimum: dict[str, int]) -> None:
        """Make sure every open state is on show: cut the newest suitable histories short.

        Left alone, which tickets are still open depends on the hour the generator runs (at
        night or at weekends the queues may be empty). The newest tickets that would otherwise
        be finished are stopped right after the step that leaves them in the wanted state.
        """
        wanted: list[tuple[str, str, Callable[[_Plan], bool]]] = [
            (State.NEW, "create", lambda p: p.ticket.channel in (Channel.PORTAL, Channel.EMAIL)),
            (State.ASSIGNED, "assign", lambda p: True),
            (State.IN_PROGRESS, "claim", lambda p: True),
            (State.PENDING, "pend", lambda p: True),
        ]
        states = Counter(p.final_state for p in plans)
        newest_first = sorted(plans, key=lambda p: p.ticket.created_at, reverse=True)
        for state, step_name, suitable in wanted:
            missing = minimum[state] - states[state]
            for plan in newest_first:
                if missing <= 0:
                    break
                if (
                    plan.pinned
                    or plan.final_state not in (State.RESOLVED, State.CLOSED)
                    or not suitable(plan)
                ):
                    continue
                hits = [i for i, step in enumerate(plan.steps[: plan.cut]) if step.name == step_name]
                if not hits:
                    continue
                states[plan.final_state] -= 1
                plan.cut = hits[-1] + 1
                states[state] += 1
                missing -= 1

    def tickets(self, count: int) -> int:
        rng = self.rng
        monitoring = self.org.monitoring
        if monitoring is None:
            raise RuntimeError("the organisation has no people yet (servicedesk.demo.seed_organisation)")
        plans: list[_Plan] = []
        # About one serious incident per 200 inquiries at demo scale: a couple a month.
        majors = max(1, round(count / 200)) if count >= 20 else 0
        remaining = count
        for _ in range(majors):
            calls = min(rng.randint(2, 5), remaining - 1)
            plans += self.major(calls, monitoring)
            remaining -= calls + 1
        for _ in range(remaining):
            plans.append(self.monitored(monitoring) if rng.random() < 0.03 else self.regular())
        for plan in plans:
            plan.cut = sum(1 for step in plan.steps if step.at <= self.now)
        # Open tickets at any moment: a few days' worth of escalations, fewer waiting at first line.
        self.fill_queues(
            plans,
            minimum={
                State.NEW: max(2, round(count / 300 * rng.uniform(0.7, 1.3))),
                State.ASSIGNED: max(2, round(count / 200 * rng.uniform(0.7, 1.3))),
                State.IN_PROGRESS: max(2, round(count / 120 * rng.uniform(0.7, 1.3))),
                State.PENDING: max(2, round(count / 150 * rng.uniform(0.7, 1.3))),
            },
        )

        # Ids follow creation time, as they would have in real life.
        plans.sort(key=lambda p: p.ticket.created_at)
        replays = [plan.replay() for plan in plans]
        Ticket.objects.bulk_create([p.ticket for p in plans], batch_size=500)
        children = [p for p in plans if p.parent is not None]
        for plan in children:
            plan.ticket.parent = plan.parent.ticket if plan.parent else None
        Ticket.objects.bulk_update([p.ticket for p in children], ["parent"], batch_size=500)
        self.log(f"Tickets: {len(plans)} created.")

        comments = sorted(((r, c) for r in replays for c in r.comments), key=lambda item: item[1].at)
        saved = Comment.objects.bulk_create(
            [
                Comment(ticket=r.ticket, author=c.author, body=c.body, internal=c.internal, created_at=c.at)
                for r, c in comments
            ],
            batch_size=500,
        )
        for (_, c), comment in zip(comments, saved, strict=True):
            c.saved = comment
        events: list[tuple[datetime, int, int, TicketEvent]] = []
        for index, replay in enumerate(replays):
            ticket = replay.ticket
            for seq, row in enumerate(replay.events):
                details = dict(row.details)
                new = format_number(ticket.kind, ticket.pk) if row.action == EventAction.CREATED else row.new
                if row.comment is not None and row.comment.saved is not None:
                    details["comment"] = row.comment.saved.pk
                event = TicketEvent(
                    ticket=ticket,
                    actor=row.actor,
                    action=row.action,
                    field=row.field_name,
                    old_value=row.old,
                    new_value=new,
                    details=details,
                    internal=row.internal,
                    created_at=row.at,
                )
                events.append((row.at, index, seq, event))
        # Event ids in time order too; (index, seq) keeps one ticket's same-instant events in order.
        events.sort(key=lambda item: item[:3])
        TicketEvent.objects.bulk_create([item[3] for item in events], batch_size=1000)
        self.log(f"History: {len(events)} events, {len(saved)} comments.")
        return len(plans)
