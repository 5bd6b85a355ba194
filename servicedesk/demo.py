"""Demo data of the project's core: the organisation and its people.

Health trusts, departments, assignment groups, services, categories, the demo logins and a few
hundred generated people, plus the line managers and service owners catalogue orders need. The
other apps' demo data (incidents/demo.py: the ticket history; sla/demo.py; changes, catalogue,
knowledge, portal, reports) build on the `Organisation` returned here; `manage.py demo_data`
calls them in order. This module imports none of them: the core does not reach into the domains.
Never run against production data.

Reference data is created with get_or_create, so running twice does not duplicate it. People
are written with bulk_create so that the default 300 take seconds even on SQLite.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password

from .models import AssignmentGroup, Category, Department, GroupLevel, HealthTrust, Role, Service, User

DEMO_PASSWORD = "demo"  # noqa: S105 -- the documented demo password (DESIGN.md), demo data only
CUSTOMER_CENTRE = "Kundesenteret"

TRUSTS: list[tuple[str, str, str, float]] = [
    # name, code, PC-name prefix, share of the end users
    ("Helse Bergen", "helse-bergen", "HB", 0.45),
    ("Helse Stavanger", "helse-stavanger", "SUS", 0.30),
    ("Helse Fonna", "helse-fonna", "HF", 0.15),
    ("Helse Førde", "helse-forde", "HFD", 0.10),
]
DEPARTMENTS = [
    "Akuttmottak",
    "Medisinsk klinikk",
    "Kirurgisk klinikk",
    "Laboratorium for medisinsk biokjemi",
    "Radiologisk avdeling",
    "Barneklinikken",
    "Kvinneklinikken",
    "Intensivavdelingen",
    "Psykiatrisk klinikk",
    "Administrasjon",
]
DEPARTMENTS_PER_TRUST = {"helse-bergen": 10, "helse-stavanger": 8, "helse-fonna": 6, "helse-forde": 6}

# name, level, share of the resolvers. Kundesenteret comes first: services.first_line_group()
# takes the first-line group with the lowest id, so it must be created before any other.
GROUPS: list[tuple[str, int, float]] = [
    (CUSTOMER_CENTRE, GroupLevel.FIRST_LINE, 0),
    ("Arbeidsflate", GroupLevel.SECOND_LINE, 8),
    ("Nettverk", GroupLevel.SECOND_LINE, 5),
    ("PACS/RIS", GroupLevel.SECOND_LINE, 3),
    ("Laboratoriesystemer", GroupLevel.SECOND_LINE, 4),
    ("EPJ", GroupLevel.SECOND_LINE, 6),
    ("Pasientadministrasjon", GroupLevel.SECOND_LINE, 3),
    ("Telefoni", GroupLevel.SECOND_LINE, 3),
    ("Tilgangsstyring", GroupLevel.SECOND_LINE, 5),
    ("AMK-systemer", GroupLevel.SECOND_LINE, 2),
    ("Legevaktsystemer", GroupLevel.SECOND_LINE, 2),
    ("Identitet og e-post", GroupLevel.SECOND_LINE, 3),
    ("Utskrift", GroupLevel.SECOND_LINE, 3),
    ("Mobile enheter", GroupLevel.SECOND_LINE, 2),
    ("Applikasjoner", GroupLevel.SECOND_LINE, 3),
    ("Integrasjon", GroupLevel.SECOND_LINE, 2),
    ("Server- og databasedrift", GroupLevel.SECOND_LINE, 3),
    ("Infrastrukturarkitektur", GroupLevel.THIRD_LINE, 2),
    ("Sikkerhetssenteret", GroupLevel.THIRD_LINE, 2),
    ("DIPS (leverandør)", GroupLevel.VENDOR, 1),
    ("Sectra (leverandør)", GroupLevel.VENDOR, 1),
]
VENDOR_DOMAINS = {"DIPS (leverandør)": "dips.example.com", "Sectra (leverandør)": "sectra.example.com"}

# The tier-1 services named in DESIGN.md (four lab systems), with their owner groups. Product
# names (PACS/RIS, LIMS, DIPS) stay as the department says them.
TIER_1_SERVICES: dict[str, str] = {
    "Arbeidsflate (PC)": "Arbeidsflate",
    "PACS/RIS": "PACS/RIS",
    "LIMS Mikrobiologi": "Laboratoriesystemer",
    "LIMS Klinisk kjemi": "Laboratoriesystemer",
    "LIMS Patologi": "Laboratoriesystemer",
    "LIMS Blodbank": "Laboratoriesystemer",
    "Pasientadministrativt system (PAS)": "Pasientadministrasjon",
    "Fysisk nettverk": "Nettverk",
    "EPJ (elektronisk pasientjournal)": "EPJ",
    "Telefoni": "Telefoni",
    "AMK-systemer": "AMK-systemer",
    "Legevaktsystemer": "Legevaktsystemer",
}
OTHER_SERVICES: list[tuple[str, int, str]] = [
    ("E-post", 2, "Identitet og e-post"),
    ("Brukerkontoer og tilganger", 2, "Tilgangsstyring"),
    ("Utskrift", 2, "Utskrift"),
    ("Integrasjonsmotor", 2, "Integrasjon"),
    ("Server- og databasedrift", 2, "Server- og databasedrift"),
    ("Mobiltelefoner", 3, "Mobile enheter"),
    ("Kontorstøtte (Office)", 3, "Applikasjoner"),
    ("Intranett", 3, "Applikasjoner"),
    ("Fjerntilgang (VPN)", 3, "Nettverk"),
]
LAB_SERVICES = ("LIMS Mikrobiologi", "LIMS Klinisk kjemi", "LIMS Patologi", "LIMS Blodbank")

# The catch-all category: linked to no service, so it is offered whatever the service.
OTHER_CATEGORY = "Annet"
CATEGORIES: dict[str, list[str]] = {
    "Maskinvare": ["PC", "Periferiutstyr"],
    "Programvare": ["Klinisk applikasjon", "Kontorprogram"],
    "Tilgang": ["Ny tilgang", "Nytt passord"],
    "Nettverk": ["Kablet", "Trådløst", "VPN"],
    "Utskrift": [],
    "Telefoni": ["Fasttelefon", "Mobiltelefon"],
    OTHER_CATEGORY: [],
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    first_name: str
    last_name: str
    role: str
    language: str
    phone: str
    trust: str = ""  # trust code; IT staff belong to no trust
    department: str = ""
    group: str = ""
    superuser: bool = False


# fmt: off
DEMO_LOGINS = [
    DemoLogin("enduser1", "Ingrid", "Haugland", Role.END_USER, "nb", "+4791234501", "helse-bergen",
              "Akuttmottak"),
    DemoLogin("enduser2", "Lars", "Eide", Role.END_USER, "en", "+4791234502", "helse-stavanger",
              "Radiologisk avdeling"),
    DemoLogin("agent1", "Emma", "Solheim", Role.FIRST_LINE, "en", "+4791234503", group=CUSTOMER_CENTRE),
    DemoLogin("agent2", "Ola", "Mikkelsen", Role.FIRST_LINE, "nb", "+4791234504", group=CUSTOMER_CENTRE),
    DemoLogin("resolver1", "Jonas", "Berg", Role.RESOLVER, "nb", "+4791234505", group="Arbeidsflate"),
    DemoLogin("cab1", "Marte", "Lie", Role.CHANGE_MANAGER, "en", "+4791234506"),
    DemoLogin("manager1", "Silje", "Nygaard", Role.MANAGER, "nb", "+4791234507"),
    DemoLogin("admin", "Kristian", "Vik", Role.ADMIN, "en", "+4791234508", superuser=True),
    DemoLogin("auditor1", "Hanne", "Strand", Role.AUDITOR, "nb", "+4791234509", "helse-bergen"),
]
# fmt: on
MONITORING_USERNAME = "monitoring"


def _ascii(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum() or ch == "-")


def _name_source(seed: int, rng: random.Random) -> Callable[[], tuple[str, str]]:
    """Norwegian first and last names: Faker('no_NO') when installed, else a short built-in list."""
    try:
        from faker import Faker
    except ImportError:  # Faker is a dev dependency; the demo still works without it
        firsts = (
            "Anne",
            "Ingrid",
            "Kari",
            "Marit",
            "Nora",
            "Emma",
            "Sofie",
            "Ida",
            "Hilde",
            "Turid",
            "Ole",
            "Lars",
            "Jan",
            "Per",
            "Bjørn",
            "Knut",
            "Erik",
            "Jonas",
            "Magnus",
            "Øyvind",
        )
        lasts = (
            "Hansen",
            "Johansen",
            "Olsen",
            "Larsen",
            "Andersen",
            "Pedersen",
            "Nilsen",
            "Kristiansen",
            "Jensen",
            "Karlsen",
            "Haugen",
            "Berg",
            "Dahl",
            "Lunde",
            "Myklebust",
            "Sæther",
            "Vik",
            "Aas",
        )
        return lambda: (rng.choice(firsts), rng.choice(lasts))
    fake = Faker("no_NO")
    fake.seed_instance(seed)
    return lambda: (fake.first_name(), fake.last_name())


@dataclass
class Organisation:
    """What the other apps' demo data draws on: the reference data and people by name, and the
    seeded random generator with its weighted choosers.

    `rng` is shared on purpose: the ticket history goes on drawing from where the people stopped,
    so the same seed gives the same data run after run.
    """

    rng: random.Random
    trusts: dict[str, HealthTrust] = field(default_factory=dict)
    departments: dict[str, list[Department]] = field(default_factory=dict)
    groups: dict[str, AssignmentGroup] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    categories: dict[tuple[str, str], Category] = field(default_factory=dict)
    members: dict[str, list[User]] = field(default_factory=dict)  # group name -> its members
    callers: list[User] = field(default_factory=list)  # the end users
    caller_weights: list[float] = field(default_factory=list)
    agent_weights: list[float] = field(default_factory=list)
    monitoring: User | None = None  # the account monitoring logs its alerts with
    created_people: int = 0

    def member(self, group: str) -> User:
        users = self.members[group]
        weights = [3.0 if u.username == "resolver1" else 1.0 for u in users]
        return self.rng.choices(users, weights)[0]

    def agent(self) -> User:
        return self.rng.choices(self.members[CUSTOMER_CENTRE], self.agent_weights)[0]

    def caller(self) -> User:
        return self.rng.choices(self.callers, self.caller_weights)[0]


def seed_organisation(*, users: int, seed: int, log: Callable[[str], None]) -> Organisation:
    """The trusts, groups, services and categories, then about `users` people besides the demo logins."""
    org = Organisation(rng=random.Random(seed))
    _reference_data(org, log)
    org.created_people = _people(org, users, seed=seed, log=log)
    return org


def _reference_data(org: Organisation, log: Callable[[str], None]) -> None:
    """Trusts with their departments, groups, services and categories (get_or_create: idempotent)."""
    for name, code, _prefix, _share in TRUSTS:
        trust, _ = HealthTrust.objects.get_or_create(code=code, defaults={"name": name})
        org.trusts[code] = trust
        org.departments[code] = [
            Department.objects.get_or_create(trust=trust, name=dept)[0]
            for dept in DEPARTMENTS[: DEPARTMENTS_PER_TRUST[code]]
        ]
    for name, level, _share in GROUPS:
        slug = _ascii(name.replace("/", "-").replace(" & ", "-").replace(" ", "-"))
        org.groups[name] = AssignmentGroup.objects.get_or_create(
            name=name, defaults={"level": level, "email": f"{slug}@servicedesk.example.org"}
        )[0]
    for name, owner in TIER_1_SERVICES.items():
        org.services[name] = Service.objects.get_or_create(
            name=name, defaults={"tier": 1, "owner_group": org.groups[owner]}
        )[0]
    for name, tier, owner in OTHER_SERVICES:
        org.services[name] = Service.objects.get_or_create(
            name=name, defaults={"tier": tier, "owner_group": org.groups[owner]}
        )[0]
    for parent_name, children in CATEGORIES.items():
        parent = Category.objects.get_or_create(parent=None, name=parent_name)[0]
        org.categories[(parent_name, "")] = parent
        for child in children:
            org.categories[(parent_name, child)] = Category.objects.get_or_create(parent=parent, name=child)[
                0
            ]
    # Tickets go to the first-line group with the lowest id (incidents.services.first_line_group).
    first_line = (
        AssignmentGroup.objects.filter(level=GroupLevel.FIRST_LINE, active=True).order_by("id").first()
    )
    if first_line is None or first_line.name != CUSTOMER_CENTRE:
        log(f"Warning: the first-line group new tickets go to is {first_line}, not {CUSTOMER_CENTRE}.")
    log(
        f"Reference data: {len(org.trusts)} trusts, "
        f"{sum(map(len, org.departments.values()))} departments, "
        f"{len(org.groups)} groups, {len(org.services)} services, {len(org.categories)} categories."
    )


def _people(org: Organisation, count: int, *, seed: int, log: Callable[[str], None]) -> int:
    """The demo logins, the monitoring account and generated people with their groups; returns how many
    were created."""
    rng = org.rng
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
    next_name = _name_source(seed, rng)
    phones = {login.phone for login in DEMO_LOGINS}
    usernames = {login.username for login in DEMO_LOGINS} | {MONITORING_USERNAME}

    def phone() -> str:
        while True:
            number = f"+47{rng.choice('49')}{rng.randrange(10**7):07d}"
            if number not in phones:
                phones.add(number)
                return number

    def person(role: str, domain: str, **extra: Any) -> User:
        first, last = next_name()
        base = f"{_ascii(first)}.{_ascii(last)}"
        username, n = base, 1
        while username in usernames:
            n += 1
            username = f"{base}{n}"
        usernames.add(username)
        return User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@{domain}",
            phone=phone(),
            role=role,
            password=password,
            preferred_language="en" if rng.random() < 0.15 else "nb",
            **extra,
        )

    worker_groups = [(name, share) for name, level, share in GROUPS if level != GroupLevel.FIRST_LINE]
    n_agents = max(2, round(count * 0.1))
    n_resolvers = max(len(worker_groups), round(count * 0.2))
    n_end_users = max(10, count - n_agents - n_resolvers)

    people: list[User] = []
    membership: list[tuple[str, str]] = []  # (group name, username)
    for login in DEMO_LOGINS:
        people.append(
            User(
                username=login.username,
                first_name=login.first_name,
                last_name=login.last_name,
                email=f"{login.username}@"
                + (f"{login.trust}.example.org" if login.trust else "servicedesk.example.org"),
                phone=login.phone,
                role=login.role,
                preferred_language=login.language,
                password=password,
                trust=org.trusts.get(login.trust),
                department=next(
                    (d for d in org.departments.get(login.trust, []) if d.name == login.department), None
                ),
                is_staff=login.superuser,
                is_superuser=login.superuser,
            )
        )
        if login.group:
            membership.append((login.group, login.username))
    # Monitoring logs alerts through the API; it is an account nobody logs in with.
    people.append(
        User(
            username=MONITORING_USERNAME,
            first_name="Monitoring",
            last_name="(system)",
            email="monitoring@servicedesk.example.org",
            role=Role.RESOLVER,
            password=make_password(None),
        )
    )
    for _ in range(n_agents):
        user = person(Role.FIRST_LINE, "servicedesk.example.org")
        people.append(user)
        membership.append((CUSTOMER_CENTRE, user.username))
    # Every group gets one resolver; the rest are spread by the groups' workload.
    names = [name for name, _ in worker_groups]
    shares = [share for _, share in worker_groups]
    for i in range(n_resolvers):
        group = names[i] if i < len(names) else rng.choices(names, shares)[0]
        user = person(Role.RESOLVER, VENDOR_DOMAINS.get(group, "servicedesk.example.org"))
        people.append(user)
        membership.append((group, user.username))
        if group not in VENDOR_DOMAINS and rng.random() < 0.1:  # some help out in a second group
            other = rng.choices(names, shares)[0]
            if other != group and other not in VENDOR_DOMAINS:
                membership.append((other, user.username))
    trust_codes = [code for _, code, _, _ in TRUSTS]
    trust_shares = [share for _, _, _, share in TRUSTS]
    for _ in range(n_end_users):
        code = rng.choices(trust_codes, trust_shares)[0]
        people.append(
            person(
                Role.END_USER,
                f"{code}.example.org",
                trust=org.trusts[code],
                department=rng.choice(org.departments[code]),
            )
        )

    # ignore_conflicts: a second run finds the same (seeded) usernames and keeps the existing people.
    before = User.objects.count()
    User.objects.bulk_create(people, batch_size=500, ignore_conflicts=True)
    created = User.objects.count() - before
    saved = User.objects.select_related("trust", "department").in_bulk(
        [p.username for p in people], field_name="username"
    )
    Membership = AssignmentGroup.members.through
    Membership.objects.bulk_create(
        [Membership(assignmentgroup=org.groups[g], user=saved[u]) for g, u in membership],
        ignore_conflicts=True,
    )
    for group, username in membership:
        org.members.setdefault(group, []).append(saved[username])
    org.monitoring = saved[MONITORING_USERNAME]

    favourites = {"enduser1", "enduser2", "agent1", "agent2", "resolver1"}  # their screens show history
    org.callers = [saved[p.username] for p in people if p.role == Role.END_USER]
    org.caller_weights = [3.0 if u.username in favourites else 1.0 for u in org.callers]
    org.agent_weights = [3.0 if u.username in favourites else 1.0 for u in org.members[CUSTOMER_CENTRE]]
    log(
        f"People: {created} created ({n_end_users} end users, {n_agents} first-line agents, "
        f"{n_resolvers} resolvers, {len(DEMO_LOGINS)} demo logins); password '{DEMO_PASSWORD}'."
    )
    return created


def assign_approvers() -> None:
    """Line managers and service owners, so that catalogue orders have someone to approve them.

    In each department the first end user (by id) manages the others and is managed by
    manager1; each service's owner is the first member of its owner group (else manager1).
    """
    manager = User.objects.filter(username="manager1").first()
    heads: dict[int | None, User] = {}
    reports: dict[int, list[int]] = {}
    for person in User.objects.filter(role=Role.END_USER).order_by("id"):
        head = heads.setdefault(person.department_id, person)
        if head.pk != person.pk:
            reports.setdefault(head.pk, []).append(person.pk)
    for head_id, person_ids in reports.items():
        User.objects.filter(pk__in=person_ids, line_manager__isnull=True).update(line_manager_id=head_id)
    if manager is not None:
        User.objects.filter(pk__in=[h.pk for h in heads.values()], line_manager__isnull=True).update(
            line_manager=manager
        )
    for service in Service.objects.filter(owner__isnull=True).select_related("owner_group"):
        owner = service.owner_group.members.order_by("id").first() or manager
        if owner is not None:
            Service.objects.filter(pk=service.pk).update(owner=owner)
