"""Demo survey answers: about a third of the demo's resolved tickets rated by their callers."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from incidents.models import State, Ticket

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
