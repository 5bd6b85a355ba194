"""The satisfaction survey: 1–6, once per ticket, by its caller, from the portal or the e-mailed link."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents import services
from portal import survey
from portal.models import SurveyAnswer, SurveyChannel
from servicedesk import outbox
from servicedesk.errors import IllegalTransition, NotAllowed

pytestmark = pytest.mark.django_db


def test_caller_rates_a_resolved_ticket_from_the_portal(browser_for, end_user, resolved_ticket):
    response = browser_for(end_user).post(
        reverse("portal:ticket-rate", kwargs={"pk": resolved_ticket.pk}),
        {"score": "5", "comment": "Rask hjelp"},
    )

    assert response.status_code == 302
    answer = SurveyAnswer.objects.get()
    assert (answer.score, answer.comment, answer.channel) == (5, "Rask hjelp", SurveyChannel.PORTAL)
    assert answer.group == resolved_ticket.resolved_by_group


def test_a_second_rating_is_refused_with_a_message(browser_for, end_user, resolved_ticket):
    client = browser_for(end_user)
    url = reverse("portal:ticket-rate", kwargs={"pk": resolved_ticket.pk})
    client.post(url, {"score": "5"})

    response = client.post(url, {"score": "1"}, follow=True)

    assert "You have already rated this case. Thank you!" in response.content.decode()
    assert SurveyAnswer.objects.get().score == 5


def test_rating_by_someone_else_is_refused(agent, resolved_ticket):
    with pytest.raises(NotAllowed, match="Only the person the case is for can rate it"):
        survey.survey_answer(ticket=resolved_ticket, actor=agent, score=6)
    assert not SurveyAnswer.objects.exists()


def test_rating_an_open_ticket_is_refused(end_user, open_ticket):
    with pytest.raises(IllegalTransition, match="once it has been resolved"):
        survey.survey_answer(ticket=open_ticket, actor=end_user, score=4)


@pytest.mark.parametrize("score", ["0", "7", "-1", "fem", ""])
def test_a_score_outside_1_to_6_is_refused(browser_for, end_user, resolved_ticket, score):
    response = browser_for(end_user).post(
        reverse("portal:ticket-rate", kwargs={"pk": resolved_ticket.pk}), {"score": score}, follow=True
    )

    assert "Choose a score from 1 to 6." in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def resolution_email_link(ticket) -> str:
    outbox.dispatch_pending()
    [email] = [m for m in mail.outbox if ticket.number in m.subject and "resolved" in m.subject]
    line = next(line for line in email.body.splitlines() if "/portal/rate/" in line)
    return line[line.index("http") :].split("/portal/rate/")[1].rstrip("/")


def test_the_resolution_email_carries_a_one_time_link_that_rates_once(resolved_ticket):
    token = resolution_email_link(resolved_ticket)
    client = Client()  # not signed in: the token is the credential
    url = reverse("portal:survey-link", kwargs={"token": token})

    assert client.get(url).status_code == 200
    assert client.post(url, {"score": "6"}).status_code == 200
    again = client.post(url, {"score": "1"})

    assert again.status_code == 410
    answer = SurveyAnswer.objects.get()
    assert (answer.score, answer.channel, answer.caller) == (6, SurveyChannel.EMAIL, resolved_ticket.caller)


def test_a_forged_link_is_refused(resolved_ticket):
    response = Client().get(reverse("portal:survey-link", kwargs={"token": "abc:def"}))

    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_an_expired_link_is_refused(resolved_ticket):
    token = resolution_email_link(resolved_ticket)

    with time_machine.travel(timezone.now() + survey.SURVEY_LINK_MAX_AGE + timedelta(minutes=1)):
        response = Client().post(reverse("portal:survey-link", kwargs={"token": token}), {"score": "6"})

    assert response.status_code == 410
    assert not SurveyAnswer.objects.exists()


def test_the_link_needs_a_valid_score_and_csrf(resolved_ticket):
    token = resolution_email_link(resolved_ticket)
    url = reverse("portal:survey-link", kwargs={"token": token})

    assert Client().post(url, {"score": "9"}).status_code == 400
    assert Client(enforce_csrf_checks=True).post(url, {"score": "5"}).status_code == 403
    assert not SurveyAnswer.objects.exists()


def test_satisfaction_gives_mean_and_count_in_the_period(agent, end_user, resolved_ticket):
    second = services.ticket_create(actor=agent, caller=end_user, title="To")
    second = services.ticket_resolve(ticket=second, actor=agent, code="solved", note="Ok")
    survey.survey_answer(ticket=resolved_ticket, actor=end_user, score=6)
    survey.survey_answer(ticket=second, actor=end_user, score=3)
    now = timezone.now()

    assert survey.satisfaction(start=now - timedelta(hours=1), end=now + timedelta(hours=1)) == (4.5, 2)
    assert survey.satisfaction(start=now + timedelta(hours=1), end=now + timedelta(hours=2)) == (None, 0)
