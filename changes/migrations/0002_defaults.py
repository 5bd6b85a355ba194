"""Seed the boards, the approval rules and the risk questionnaire (all editable in the admin).

The boards start without members: who sits on the CAB and the ECAB is for the organisation to
enter. Rules: a normal change needs 1 CAB approval at low risk, 2 at medium and the CAB quorum of
3 at high; an emergency change needs 1 ECAB approval whatever its risk (it is reviewed after).
"""

from __future__ import annotations

from django.db import migrations

RULES = [
    ("normal", "low", "CAB", 1),
    ("normal", "medium", "CAB", 2),
    ("normal", "high", "CAB", 3),
    ("emergency", "low", "ECAB", 1),
    ("emergency", "medium", "ECAB", 1),
    ("emergency", "high", "ECAB", 1),
]

# (question, weight). Risk is the share of the total weight answered "yes": from 30 % medium,
# from 60 % high (changes/models.py, RISK_FROM_SHARE). Total 13: 4 yes-points medium, 8 high.
QUESTIONS = [
    ("Does the change affect a tier-1 service (e.g. EPR, PACS/RIS, lab systems, PAS, network)?", 3),
    ("Will users lose the service, or part of it, while the change is made?", 2),
    ("Is backing out hard or impossible (e.g. a data migration or a database upgrade)?", 3),
    ("Is this kind of change new to us, or has it failed here before?", 2),
    ("Has the change not been tested in a test environment?", 2),
    ("Does the change affect integrations with other systems or other health trusts?", 1),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    AdvisoryBoard = apps.get_model("changes", "AdvisoryBoard")
    ApprovalRule = apps.get_model("changes", "ApprovalRule")
    RiskQuestion = apps.get_model("changes", "RiskQuestion")
    boards = {
        "CAB": AdvisoryBoard.objects.get_or_create(name="CAB", defaults={"kind": "cab"})[0],
        "ECAB": AdvisoryBoard.objects.get_or_create(name="ECAB", defaults={"kind": "ecab"})[0],
    }
    for change_type, risk, board, required in RULES:
        ApprovalRule.objects.update_or_create(
            change_type=change_type,
            risk=risk,
            defaults={"board": boards[board], "required_approvals": required},
        )
    if not RiskQuestion.objects.exists():
        for position, (text, weight) in enumerate(QUESTIONS, start=1):
            RiskQuestion.objects.create(text=text, weight=weight, position=position)


class Migration(migrations.Migration):
    dependencies = [("changes", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
