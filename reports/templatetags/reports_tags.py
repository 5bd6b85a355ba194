"""Report tables rendered in Python: a dashboard holds ~1,500 cells, which the template language
would render several times slower (the dashboard's p95 budget is 300 ms)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reports.models import MonthlySnapshot
from reports.tables import Cell, Table

register = template.Library()


def _cell(value: Cell) -> str:
    return "–" if value is None else str(value)


def _first_cell(table: Table, index: int, value: Cell, snapshot: MonthlySnapshot) -> SafeString:
    """The row's name, linked to the ticket list of its tickets created in the period."""
    filters = table.filters[index] if index < len(table.filters) else {}
    if not filters:
        return format_html("{}", _cell(value))
    query = {
        "created_after": snapshot.period_start.isoformat(),
        "created_before": snapshot.period_end.isoformat(),
        **filters,
    }
    return format_html(
        '<a href="{}?{}">{}</a>', reverse("console:ticket-list"), urlencode(query), _cell(value)
    )


@register.simple_tag
def report_table(table: Table, month: object, snapshot: MonthlySnapshot) -> SafeString:
    head = format_html_join("", '<th scope="col">{}</th>', ((c,) for c in table.columns))
    if table.rows:
        body = format_html_join(
            "",
            "<tr>{}</tr>",
            (
                (
                    format_html(
                        '<th scope="row">{}</th>{}',
                        _first_cell(table, index, row[0], snapshot),
                        format_html_join("", '<td class="num">{}</td>', ((_cell(c),) for c in row[1:])),
                    ),
                )
                for index, row in enumerate(table.rows)
            ),
        )
    else:
        body = format_html('<tr><td colspan="{}">{}</td></tr>', len(table.columns), _("No data"))
    links = format_html_join(
        " ",
        '<a href="{}?snapshot={}">{}</a>',
        (
            (
                reverse("reports:export", kwargs={"month": str(month), "table": table.key, "fmt": fmt}),
                snapshot.pk,
                label,
            )
            for fmt, label in (("csv", "CSV"), ("xlsx", "XLSX"))
        ),
    )
    return format_html(
        # A region of its own that scrolls sideways (24 months are wider than the screen), a
        # keyboard stop named after its table.
        '<div class="table-wrap" role="region" tabindex="0" aria-label="{}">'
        '<table class="report-table"><caption>{}</caption><thead><tr>{}</tr></thead><tbody>{}</tbody></table>'
        "</div>"
        '<p class="exports">{} {}</p>',
        table.title,
        table.title,
        head,
        body,
        _("Download:"),
        links,
    )
