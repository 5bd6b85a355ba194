"""Demo survey answers (about a third of the demo's resolved tickets rated by their callers) and the
demo end users' own cases."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from incidents import services
from incidents.models import Channel, State, Ticket
from servicedesk.models import Service, User

from .models import SurveyAnswer, SurveyChannel

# Weighted towards the department's reported satisfaction (most answers 5 or 6).
SCORES = [1, 2, 3, 4, 5, 6]
WEIGHTS = [2, 3, 6, 17, 38, 34]
COMMENTS = [
    "",
    "",
    "",
    "Rask og hyggelig hjelp.",
    "Tok litt tid, men ble løst.",
    "Fikk god veiledning på telefonen.",
    "Måtte ringe to ganger.",
    "Very helpful, thank you!",
]


def seed_survey_answers(rng: random.Random | None = None, share: float = 0.33) -> int:
    """Rate a share of the resolved and closed tickets that have no answer yet."""
    rng = rng or random.Random(2019)
    now = timezone.now()
    tickets = Ticket.objects.filter(
        state__in=[State.RESOLVED, State.CLOSED], resolved_at__isnull=False, survey_answer__isnull=True
    ).only("id", "caller_id", "resolved_by_group_id", "resolved_at")
    answers = [
        SurveyAnswer(
            ticket_id=ticket.pk,
            caller_id=ticket.caller_id,
            group_id=ticket.resolved_by_group_id,
            score=rng.choices(SCORES, WEIGHTS)[0],
            comment=rng.choice(COMMENTS),
            channel=rng.choice([SurveyChannel.PORTAL, SurveyChannel.EMAIL]),
            # Answered within two days of the resolution, never in the future.
            created_at=min(now, ticket.resolved_at + timedelta(hours=rng.uniform(0.5, 48))),
        )
        for ticket in tickets.iterator()
        if rng.random() < share and ticket.resolved_at is not None
    ]
    with transaction.atomic():
        SurveyAnswer.objects.bulk_create(answers, batch_size=1000)
    return len(answers)


# What the demo's two end users have reported themselves, so "My cases" shows a case in progress
# and one waiting for them to confirm and rate (service, title, description, what the agent does).
OWN_CASES: dict[str, list[tuple[str, str, str, str]]] = {
    "enduser1": [
        (
            "Utskrift",
            "Skriveren på akuttmottaket skriver ikke ut",
            "Skriveren ved skranken (HB-PRT-0412) tar imot utskrifter, men ingenting kommer ut.",
            "comment",
        ),
        (
            "EPJ (elektronisk pasientjournal)",
            "Får ikke åpnet kurven i DIPS",
            "Kurven henger når jeg åpner den på PC-en i medisinrommet. Andre programmer virker.",
            "resolve",
        ),
    ],
    "enduser2": [
        (
            "PACS/RIS",
            "Bildene lastes ikke i PACS på lesestasjon 3",
            "Worklist opens, but the images stay grey on reading station 3.",
            "comment",
        ),
    ],
}
OWN_CASE_COUNT = sum(len(cases) for cases in OWN_CASES.values())


def seed_own_cases(agent_username: str = "agent2") -> int:
    """The demo end users' own portal cases, through the same services as the portal; once."""
    agent = User.objects.filter(username=agent_username, is_active=True).first()
    if agent is None:
        return 0
    made = 0
    for username, cases in OWN_CASES.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        for service_name, title, description, then in cases:
            if Ticket.objects.filter(caller=user, title=title).exists():
                continue
            ticket = services.ticket_create(
                actor=user,
                caller=user,
                title=title,
                description=description,
                channel=Channel.PORTAL,
                service=Service.objects.filter(name=service_name).first(),
            )
            services.ticket_claim(ticket=ticket, actor=agent)
            if then == "resolve":
                services.ticket_resolve(
                    ticket=ticket,
                    actor=agent,
                    code="solved",
                    note="Tømte hurtigbufferen til DIPS på PC-en; kurven åpner igjen. Si fra hvis ikke.",
                )
            else:
                services.comment_add(
                    ticket=ticket,
                    actor=agent,
                    body="Takk for meldingen. Vi ser på det og gir beskjed her når vi vet mer.",
                    internal=False,
                )
            made += 1
    return made
