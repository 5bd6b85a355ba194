"""The change calendar as a timeline: where each bar, freeze shade and tick goes in the SVG.

Pure layout, no queries: the view passes the changes (flagged `in_conflict` by the selector) and
freeze windows it fetched. Positions are SVG user units computed here, so the page needs no
inline style or script (the Content-Security-Policy allows neither); colours are CSS classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format

from .models import Change, FreezeWindow

# The drawing's coordinate system; the SVG scales to the page's width.
LABEL_WIDTH = 300  # the left column: change number and title
PLOT_WIDTH = 900
WIDTH = LABEL_WIDTH + PLOT_WIDTH
HEADER = 44  # day names and hour ticks
ROW = 26
BAR_HEIGHT = 16
TITLE_CHARS = 34  # what fits in the label column at the font size of console.css


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    major: bool  # a day boundary (week view) or a Monday (month view)


@dataclass(frozen=True)
class Lane:
    """One row of the timeline: a freeze window or a change, with its horizontal extent."""

    y: float
    x: float
    width: float
    label: str
    starts_before: bool  # the window began before the period shown
    ends_after: bool  # …or goes on after it
    change: Change | None = None
    window: FreezeWindow | None = None
    conflict: bool = False

    @property
    def bar_y(self) -> float:
        return self.y + (ROW - BAR_HEIGHT) / 2

    @property
    def text_y(self) -> float:
        return self.y + ROW / 2 + 5

    @property
    def end_x(self) -> float:
        return round(self.x + self.width, 1)


@dataclass(frozen=True)
class Timeline:
    width: int
    height: float
    plot_left: int
    plot_top: int
    plot_bottom: float
    ticks: list[Tick]
    freezes: list[Lane]
    changes: list[Lane]
    now_x: float | None
    plot_width: int = PLOT_WIDTH
    row: int = ROW
    bar_height: int = BAR_HEIGHT

    @property
    def plot_height(self) -> float:
        return self.plot_bottom - self.plot_top


def _short(text: str, limit: int = TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build(
    *,
    start: datetime,
    end: datetime,
    days: Sequence[date],
    midnights: Sequence[datetime],
    changes: Sequence[Change],
    freezes: Sequence[FreezeWindow],
    hourly: bool,
) -> Timeline:
    """Lay out the period [start, end): `days` are its local days and `midnights` their starts
    (local midnights as instants, so a day of a DST change is 23 or 25 hours wide). Week views
    tick every six hours (`hourly`); month views every day."""
    span = (end - start).total_seconds()

    def x_of(instant: datetime) -> float:
        clipped = min(max(instant, start), end)
        # One decimal is a tenth of a pixel at full width: plenty, and a short attribute.
        return round(LABEL_WIDTH + PLOT_WIDTH * (clipped - start).total_seconds() / span, 1)

    ticks: list[Tick] = []
    for day, midnight in zip(days, midnights, strict=True):
        if hourly:
            ticks.append(Tick(x_of(midnight), date_format(day, "D j M"), major=True))
            ticks += [
                Tick(x_of(midnight + timedelta(hours=hour)), f"{hour:02d}", major=False)
                for hour in (6, 12, 18)
            ]
        else:
            ticks.append(Tick(x_of(midnight), date_format(day, "j"), major=day.weekday() == 0))

    def lane(
        row: int,
        first: datetime,
        last: datetime,
        label: str,
        *,
        change: Change | None = None,
        window: FreezeWindow | None = None,
        conflict: bool = False,
    ) -> Lane:
        left = x_of(first)
        return Lane(
            y=HEADER + row * ROW,
            x=left,
            width=max(round(x_of(last) - left, 1), 2.0),  # a very short change still shows
            label=label,
            starts_before=first < start,
            ends_after=last > end,
            change=change,
            window=window,
            conflict=conflict,
        )

    freeze_lanes = [
        lane(row, window.start, window.end, _short(window.name), window=window)
        for row, window in enumerate(freezes)
    ]
    change_lanes = []
    for row, change in enumerate(changes, start=len(freeze_lanes)):
        assert change.planned_start and change.planned_end  # noqa: S101 -- on the calendar: planned
        label = f"{change.number} {_short(change.title, TITLE_CHARS - 11)}"
        conflict = bool(getattr(change, "in_conflict", False))
        change_lanes.append(
            lane(row, change.planned_start, change.planned_end, label, change=change, conflict=conflict)
        )
    rows = len(freeze_lanes) + len(change_lanes)
    plot_bottom = HEADER + max(rows, 1) * ROW
    now = timezone.now()
    return Timeline(
        width=WIDTH,
        height=plot_bottom + 4,
        plot_left=LABEL_WIDTH,
        plot_top=HEADER,
        plot_bottom=plot_bottom,
        ticks=ticks,
        freezes=freeze_lanes,
        changes=change_lanes,
        now_x=x_of(now) if start <= now < end else None,
    )
