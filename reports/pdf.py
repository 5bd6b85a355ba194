# mypy: disallow-untyped-defs, disallow-incomplete-defs
"""The monthly report as a PDF a manager can forward (reportlab; pure Python, no system packages)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import MonthlySnapshot
from .months import Month
from .tables import Cell, report_tables


def _text(value: Cell) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def monthly_pdf(snapshot: MonthlySnapshot, history: dict[Month, MonthlySnapshot]) -> bytes:
    styles = getSampleStyleSheet()
    month = Month.from_date(snapshot.month)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Monthly service-desk report %(month)s") % {"month": month},
        author=_("Service desk"),
    )
    computed = timezone.localtime(snapshot.computed_at).strftime("%Y-%m-%d %H:%M")
    scope = _("whole month") if snapshot.complete else _("month to date")
    story = [
        Paragraph(escape(_("Monthly service-desk report %(month)s") % {"month": month}), styles["Title"]),
        Paragraph(
            escape(
                _("Computed %(when)s (%(scope)s), definitions version %(version)s, snapshot %(id)s.")
                % {
                    "when": computed,
                    "scope": scope,
                    "version": snapshot.definitions_version,
                    "id": snapshot.pk,
                }
            ),
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    small = styles["BodyText"].clone("small", fontSize=7.5, leading=9)
    for table in report_tables(snapshot, history):
        data = [[Paragraph(escape(c), small) for c in table.columns]]
        data += [[Paragraph(escape(_text(c)), small) for c in row] for row in table.rows]
        if not table.rows:
            data.append([Paragraph(escape(_("No data")), small)] + [""] * (len(table.columns) - 1))
        grid = Table(data, repeatRows=1, hAlign="LEFT")
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        heading = Paragraph(escape(table.title), styles["Heading3"])
        story += [KeepTogether([heading, grid])] if len(table.rows) < 25 else [heading, grid]
        story.append(Spacer(1, 4 * mm))
    doc.build(story)
    return buffer.getvalue()
