"""Chart layout for the HTML report: numbers in, SVG primitives out, as plain frozen data.

The template turns these primitives into ``<svg>`` elements, so markup lives in one place and every
string is escaped by Jinja; nothing here builds HTML or SVG text. Coordinates are rounded to 0.1 px
so the same report always gives the same bytes (golden files).

Bars carry a *fill* name, not a colour: the stylesheet gives each fill a colour *and* a pattern
(solid, hatched, dotted), and every bar has a value label, so the charts read in greyscale print.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 900.0
LABEL_W = 290.0  # left column for row labels
RIGHT_PAD = 150.0  # room for value labels after the longest bar
TOP = 28.0  # room for the axis ticks
BAR_H = 12.0
BAR_GAP = 3.0
ROW_PAD = 10.0
FILLS = ("fw0", "fw1", "fw2", "fw3")


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str  # a name the stylesheet maps to a colour and a pattern
    title: str  # tooltip and accessible name


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    kind: str  # grid, axis, baseline, zero, whisker


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str  # start, middle, end
    kind: str  # tick, row, value, note


@dataclass(frozen=True)
class LegendItem:
    fill: str
    text: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    width: float
    height: float
    rects: tuple[Rect, ...]
    lines: tuple[Line, ...]
    labels: tuple[Label, ...]
    legend: tuple[LegendItem, ...]


@dataclass(frozen=True)
class Row:
    """One row of a bar chart: a label and, per series, a value (None: not measured)."""

    label: str
    values: tuple[float | None, ...]
    notes: tuple[str, ...] = ()  # per series: value label text, or a reason the value is missing
    whiskers: tuple[float | None, ...] = ()  # per series: where the whisker ends (p95)


def _r(value: float) -> float:
    return round(value, 1)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) that cover ``low``..``high``."""
    span = (high - low) or 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw - 1e-12)
    start, end = math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step
    return [round(start + i * step, 10) for i in range(round((end - start) / step) + 1)]


def _tick(value: float) -> str:
    return f"{value:g}"


class _Scale:
    def __init__(self, ticks: Sequence[float]) -> None:
        self.low, self.high = ticks[0], ticks[-1]
        self.span = (self.high - self.low) or 1.0
        self.plot_w = WIDTH - LABEL_W - RIGHT_PAD

    def __call__(self, value: float) -> float:
        return LABEL_W + (value - self.low) / self.span * self.plot_w


def _axis(scale: _Scale, ticks: Sequence[float], bottom: float, unit: str) -> tuple[list[Line], list[Label]]:
    lines = [Line(_r(scale(t)), TOP, _r(scale(t)), _r(bottom), "grid") for t in ticks]
    labels = [Label(_r(scale(t)), TOP - 8, _tick(t), "middle", "tick") for t in ticks[:-1]]
    labels.append(Label(_r(scale(ticks[-1])), TOP - 8, f"{_tick(ticks[-1])} {unit}", "start", "tick"))
    return lines, labels


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[Row],
    series: Sequence[LegendItem],
    unit: str,
) -> Chart:
    """Grouped horizontal bars from 0, one bar per series per row, optional whiskers (p95)."""
    top_value = max([v for r in rows for v in (*r.values, *r.whiskers) if v is not None] or [1.0])
    ticks = nice_ticks(0.0, top_value)
    scale = _Scale(ticks)
    rects: list[Rect] = []
    lines: list[Line] = []
    labels: list[Label] = []
    y = TOP + ROW_PAD / 2
    for row in rows:
        row_h = len(series) * (BAR_H + BAR_GAP) - BAR_GAP
        labels.append(Label(LABEL_W - 8, _r(y + row_h / 2 + 4), row.label, "end", "row"))
        for i, (item, value) in enumerate(zip(series, row.values, strict=True)):
            top = y + i * (BAR_H + BAR_GAP)
            note = row.notes[i] if row.notes else ("" if value is None else f"{value:.2f}")
            end = scale(0.0)
            if value is not None:
                end = scale(value)
                rects.append(
                    Rect(
                        _r(end if value < 0 else scale(0.0)),
                        _r(top),
                        _r(abs(end - scale(0.0))),
                        BAR_H,
                        item.fill,
                        f"{item.text}: {note}",
                    )
                )
            whisker = row.whiskers[i] if row.whiskers else None
            if value is not None and whisker is not None:
                mid, tip = _r(top + BAR_H / 2), _r(scale(whisker))
                lines += [
                    Line(_r(end), mid, tip, mid, "whisker"),
                    Line(tip, _r(top + 2), tip, _r(top + BAR_H - 2), "whisker"),
                ]
                end = scale(whisker)
            labels.append(Label(_r(end + 5), _r(top + BAR_H - 2), note, "start", "value"))
        y += row_h + ROW_PAD
    grid, ticks_labels = _axis(scale, ticks, y - ROW_PAD / 2, unit)
    lines = [*grid, Line(LABEL_W, TOP, LABEL_W, _r(y - ROW_PAD / 2), "axis"), *lines]
    return Chart(
        chart_id,
        title,
        description,
        WIDTH,
        _r(y + 4),
        tuple(rects),
        tuple(lines),
        tuple(ticks_labels + labels),
        tuple(series),
    )


@dataclass(frozen=True)
class TornadoRow:
    label: str
    at_zero: float  # the margin when this weight is 0
    at_max: float  # the margin when this weight is at its maximum


def tornado(
    chart_id: str,
    title: str,
    description: str,
    baseline: float,
    rows: Sequence[TornadoRow],
    legend: tuple[LegendItem, LegendItem],
    runner_up: str,
) -> Chart:
    """How far the winner's margin moves per weight; the dashed line at 0 is where the pick flips."""
    values = [baseline, 0.0, *(v for r in rows for v in (r.at_zero, r.at_max))]
    ticks = nice_ticks(min(values), max(values))
    scale = _Scale(ticks)
    rects: list[Rect] = []
    labels: list[Label] = []
    row_h = 2 * BAR_H + BAR_GAP
    y = TOP + ROW_PAD / 2
    for row in rows:
        labels.append(Label(LABEL_W - 8, _r(y + row_h / 2 + 4), row.label, "end", "row"))
        for i, (item, value) in enumerate(zip(legend, (row.at_zero, row.at_max), strict=True)):
            top = y + i * (BAR_H + BAR_GAP)
            start, end = scale(baseline), scale(value)
            text = f"{value:+.2f}"
            if abs(end - start) >= 0.05:
                rects.append(
                    Rect(
                        _r(min(start, end)),
                        _r(top),
                        _r(abs(end - start)),
                        BAR_H,
                        item.fill,
                        f"{row.label}, {item.text}: margin {text}",
                    )
                )
            left = end < start
            labels.append(
                Label(_r(end - 5 if left else end + 5), _r(top + BAR_H - 2), text, "end" if left else "start", "value")
            )
        y += row_h + ROW_PAD
    bottom = y - ROW_PAD / 2
    grid, tick_labels = _axis(scale, ticks, bottom, "margin")
    lines = [
        *grid,
        Line(_r(scale(0.0)), TOP, _r(scale(0.0)), _r(bottom), "zero"),
        Line(_r(scale(baseline)), TOP, _r(scale(baseline)), _r(bottom), "baseline"),
    ]
    notes = [
        Label(_r(scale(baseline)), _r(bottom + 16), f"now {baseline:+.2f}", "middle", "note"),
        Label(_r(scale(0.0)), _r(bottom + 32), f"tie: left of this line {runner_up} wins", "middle", "note"),
    ]
    return Chart(
        chart_id,
        title,
        description,
        WIDTH,
        _r(bottom + 40),
        tuple(rects),
        tuple(lines),
        tuple(tick_labels + labels + notes),
        legend,
    )
