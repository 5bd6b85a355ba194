"""The monthly report by e-mail: rendered from an outbox row when sent, one message per language,
with the PDF attached, to the managers who opted in."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from servicedesk.models import OutboxMessage
from servicedesk.outbox import renderer

from . import selectors
from .models import MonthlyReportSubscription, MonthlySnapshot
from .months import Month
from .pdf import monthly_pdf
from .tables import kpi_table


@renderer("reports.monthly")
def monthly_report_email(message: OutboxMessage) -> list[EmailMessage]:
    snapshot = MonthlySnapshot.objects.filter(pk=message.payload.get("snapshot")).first()
    if snapshot is None:
        return []
    by_language: dict[str, list[str]] = defaultdict(list)
    subscriptions = MonthlyReportSubscription.objects.select_related("user").filter(user__is_active=True)
    for subscription in subscriptions:
        user = subscription.user
        if user.email and selectors.can_see_reports(user):
            by_language[user.preferred_language or settings.LANGUAGE_CODE].append(user.email)
    month = Month.from_date(snapshot.month)
    history = selectors.latest_snapshots(month.shift(-23), month)
    history[month] = snapshot
    emails = []
    for language, addresses in sorted(by_language.items()):
        with translation.override(language):
            values = {"month": str(month)}
            subject = _("Monthly service-desk report %(month)s") % values
            lines = [subject, ""]
            for row in kpi_table(snapshot).rows:
                lines.append(f"- {row[0]}: {'–' if row[1] is None else row[1]} ({row[2]}): {row[3]}")
            link = settings.SITE_URL.rstrip("/") + reverse("reports:dashboard") + f"?month={month}"
            lines += ["", _("The whole report: %(link)s") % {"link": link}]
            email = EmailMessage(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, sorted(addresses))
            email.attach(
                f"service-desk-report-{month}.pdf", monthly_pdf(snapshot, history), "application/pdf"
            )
        emails.append(email)
    return emails
