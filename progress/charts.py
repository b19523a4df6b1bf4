"""Charts drawn on the server as SVG (no JavaScript, no CDN). Every chart is decorative
for screen readers (`aria-hidden`): the template puts its numbers in a table beside it.
Colours are SVG presentation attributes, which the strict CSP allows."""

from __future__ import annotations

import datetime
import json
from functools import cache
from pathlib import Path

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.templatetags.thai_dates import THAI_MONTHS_SHORT, _is_thai

DATA = Path(__file__).resolve().parent / "data"

# ColorBrewer "YlGnBu" (colour-blind safe), light = little progress, dark = much.
SCALE = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#2c7fb8", "#253494")
NO_DATA = "#e0e0e0"
INK = "#1b1b1b"
BAR = "#2c7fb8"
TRACK = "#e6e6e6"
PATH_COLOURS = ("#7fcdbb", "#2c7fb8", "#253494")


def bucket(share: float | None) -> int | None:
    if share is None:
        return None
    return min(int(share * len(SCALE)), len(SCALE) - 1)


def colour(share: float | None) -> str:
    index = bucket(share)
    return NO_DATA if index is None else SCALE[index]


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


def bars(rows: list[tuple[str, float | None]], *, width: int = 640) -> SafeString:
    """Horizontal bars, one per (label, share 0..1)."""
    label_w, bar_w, row_h = 250, width - 250 - 60, 26
    height = row_h * len(rows) + 4
    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" width="100%" aria-hidden="true" '
            'focusable="false" xmlns="http://www.w3.org/2000/svg" font-size="13">',
            width,
            height,
        )
    ]
    for index, (label, share) in enumerate(rows):
        y = index * row_h + 2
        filled = 0 if share is None else max(0.0, min(share, 1.0)) * bar_w
        text = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            format_html(
                '<text x="0" y="{}" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="16" fill="{}"/>'
                '<rect x="{}" y="{}" width="{}" height="16" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}">{}</text>',
                y + 13,
                INK,
                text,
                label_w,
                y + 1,
                bar_w,
                TRACK,
                label_w,
                y + 1,
                filled,
                BAR,
                label_w + bar_w + 6,
                y + 13,
                INK,
                percent(share),
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a constant
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped by format_html


def stacked(parts_in: list[tuple[str, int]], *, width: int = 640) -> SafeString:
    """One bar split by share (readiness paths), with a legend."""
    total = sum(n for _l, n in parts_in) or 1
    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" width="100%" aria-hidden="true" '
            'focusable="false" xmlns="http://www.w3.org/2000/svg" font-size="13">',
            width,
            34 + 22 * len(parts_in),
        )
    ]
    x = 0.0
    for index, (_label, n) in enumerate(parts_in):
        w = width * n / total
        parts.append(
            format_html(
                '<rect x="{}" y="0" width="{}" height="24" fill="{}"/>',
                x,
                w,
                PATH_COLOURS[index % len(PATH_COLOURS)],
            )
        )
        x += w
    for index, (label, n) in enumerate(parts_in):
        y = 34 + 22 * index
        parts.append(
            format_html(
                '<rect x="0" y="{}" width="14" height="14" fill="{}"/>'
                '<text x="20" y="{}" fill="{}">{} ({})</text>',
                y,
                PATH_COLOURS[index % len(PATH_COLOURS)],
                y + 12,
                INK,
                label,
                n,
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308
    return mark_safe("".join(parts))  # noqa: S308


def timeline(phase: dict, *, today, width: int = 640) -> SafeString:
    """Each activity's name and window on a shared date axis (months marked below), its
    progress filled in the window, and a line for today."""
    start, end = phase["starts_on"], phase["ends_on"]
    rows = phase["activities"]
    # The axis covers the phase and every activity, so no bar is cut off or left floating.
    for item in rows:
        start = min(start, item.activity.starts_on)
        end = max(end, item.activity.ends_on)
    span = max((end - start).days + 1, 1)
    axis_w, row_h, axis_h = width, 44, 34
    height = row_h * len(rows) + axis_h

    def x(day) -> float:
        offset = min(max((day - start).days, 0), span)
        return axis_w * offset / span

    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" width="100%" aria-hidden="true" '
            'focusable="false" xmlns="http://www.w3.org/2000/svg" font-size="12">',
            width,
            height,
        )
    ]
    for index, item in enumerate(rows):
        y = index * row_h
        a = item.activity
        x0, x1 = x(a.starts_on), x(a.ends_on + _one_day())
        share = min(item.share or 0.0, 1.0)
        name = str(a)
        name = name if len(name) <= 60 else name[:59] + "…"
        parts.append(
            format_html(
                '<text x="{}" y="{}" fill="{}">{}. {} ({})</text>'
                '<rect x="{}" y="{}" width="{}" height="16" fill="{}"/>'
                '<rect x="{}" y="{}" width="{}" height="16" fill="{}"/>',
                0,
                y + 13,
                INK,
                index + 1,
                name,
                percent(item.share),
                x0,
                y + 18,
                max(x1 - x0, 2),
                TRACK,
                x0,
                y + 18,
                max(x1 - x0, 2) * share,
                BAR,
            )
        )
    axis_y = row_h * len(rows) + 2
    parts.append(
        format_html(
            '<line x1="0" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
            axis_y,
            width,
            axis_y,
            INK,
        )
    )
    for day, label in _month_ticks(start, end):
        tx = x(day)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>'
                '<text x="{}" y="{}" fill="{}">{}</text>',
                tx,
                axis_y,
                tx,
                axis_y + 5,
                INK,
                min(tx + 2, width - 48),
                axis_y + 18,
                INK,
                label,
            )
        )
    if start <= today <= end:
        tx = x(today)
        parts.append(
            format_html(
                '<line x1="{}" y1="0" x2="{}" y2="{}" stroke="#b50909" '
                'stroke-width="2"/><text x="{}" y="{}" fill="#b50909">{}</text>',
                tx,
                tx,
                axis_y,
                min(tx + 3, width - 60),
                height - 2,
                _("today"),
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308
    return mark_safe("".join(parts))  # noqa: S308


def _month_ticks(start, end) -> list[tuple]:
    """The first day of each month on the axis, labelled "ม.ค. 69" (Thai) or "Jan 26"; at most
    about eight labels, so they never overlap."""

    months = []
    day = datetime.date(start.year, start.month, 1)
    while day <= end:
        if day >= start:
            months.append(day)
        day = datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    step = max(1, -(-len(months) // 8))
    thai = _is_thai()
    ticks = []
    for day in months[::step]:
        if thai:
            label = f"{THAI_MONTHS_SHORT[day.month - 1]} {(day.year + 543) % 100:02d}"
        else:
            label = f"{day:%b} {day.year % 100:02d}"
        ticks.append((day, label))
    return ticks


def _f(value: float) -> str:
    return f"{value:.1f}"


def _one_day():

    return datetime.timedelta(days=1)


@cache
def _provinces() -> dict:
    return json.loads((DATA / "provinces_svg.json").read_text())


@cache
def _shapes() -> tuple[str, str, list[tuple[str, str]]]:
    """The map's constant parts, escaped once per process (the shapes are 150 kB)."""
    data = _provinces()
    head = format_html(
        '<svg class="map" viewBox="{}" width="100%" aria-hidden="true" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg">',
        data["viewBox"],
    )
    water = "".join(
        f'<path d="{escape(shape)}" fill="#cfe8f7" stroke="#fff"/>' for shape in data["water"]
    )
    provinces = [(s["code"], f'<path d="{escape(s["path"])}" ') for s in data["provinces"]]
    return head + water, "</svg>", provinces


def choropleth(shares: dict[str, float | None], names: dict[str, str]) -> SafeString:
    """Thailand's 77 provinces coloured by share. Shapes: @svg-maps/thailand (CC BY 4.0)."""
    head, tail, provinces = _shapes()
    parts = [head]
    for code, opening in provinces:
        share = shares.get(code)
        parts.append(
            f'{opening}fill="{colour(share)}" stroke="#555" stroke-width="0.6">'
            f"<title>{escape(names.get(code, code))}: {percent(share)}</title></path>"
        )
    parts.append(tail)
    return mark_safe("".join(parts))  # noqa: S308 - shapes and names escaped above


def legend() -> list[dict]:
    """The map's colour classes, for the legend under it."""
    step = 100 // len(SCALE)
    items = [
        {"colour": c, "label": f"{i * step}–{(i + 1) * step if i < len(SCALE) - 1 else 100}%"}
        for i, c in enumerate(SCALE)
    ]
    items.append({"colour": NO_DATA, "label": _("no service point")})
    return items


def swatch(colour_value: str) -> SafeString:
    return format_html(
        '<svg width="14" height="14" aria-hidden="true" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg"><rect width="14" height="14" fill="{}" '
        'stroke="#555"/></svg>',
        escape(colour_value),
    )
