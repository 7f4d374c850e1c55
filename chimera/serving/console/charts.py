"""Server-side SVG charts: no JavaScript, readable by screen readers (title per bar + a table).

`bars` draws values around a zero line (a loss is a bar below it); `meters` draws spend against
a cap. Every mark carries its exact number as text and in its `<title>`; pages put the same
numbers in a table next to the chart.
"""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 560, 160, 24
ROW = 34
"""Height of one meter row (label above, bar below)."""


def number(value: float, decimals: int | None = None) -> str:
    """`value` as text: with `decimals` places, else the shortest exact form."""
    return f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"


def short(label: str) -> str:
    """A label that fits under a bar: `MM-DD` of a day, else the last 10 characters."""
    is_day = len(label) == 10 and label[4] == "-" and label[7] == "-"
    return label[5:] if is_day else label[-10:]


def _bar(
    label: str, value: float, x: float, step: float, scale: float, zero: float, text: str
) -> str:
    """One bar from the zero line (up for a positive value, down for a negative one)."""
    h = abs(value) * scale
    y = zero - h if value >= 0 else zero
    label_y = y - 4 if value >= 0 else zero + h + 11
    cls = "" if value >= 0 else ' class="neg"'
    return (
        f'<rect{cls} x="{x + 2:.1f}" y="{y:.1f}" width="{max(step - 4, 1):.1f}" height="{h:.1f}">'
        f"<title>{escape(label)}: {escape(text)}</title></rect>"
        f'<text x="{x + step / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle">'
        f"{escape(short(label))}</text>"
        f'<text x="{x + step / 2:.1f}" y="{label_y:.1f}" text-anchor="middle">{escape(text)}</text>'
    )


def bars(
    title: str, points: list[tuple[str, float]], unit: str = "", decimals: int | None = None
) -> Markup:
    """A bar chart of `(label, value)` points as inline SVG with a title and per-bar labels."""
    if not points:
        return Markup('<p class="muted">{}: no data yet.</p>').format(title)
    top = max(0.0, *(v for _, v in points))
    bottom = min(0.0, *(v for _, v in points))
    scale = (HEIGHT - 2 * PAD - 12) / ((top - bottom) or 1.0)
    zero = PAD + 6 + top * scale
    step = min((WIDTH - 2 * PAD) / len(points), 64.0)  # one day of data is not a wall of ink
    parts = [
        f'<svg role="img" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{zero:.1f}" y2="{zero:.1f}" class="axis"/>',
    ]
    for i, (label, value) in enumerate(points):
        text = number(value, decimals) + unit
        parts.append(_bar(label, value, PAD + i * step, step, scale, zero, text))
    parts.append("</svg>")
    return Markup("".join(parts))


def _meter(i: int, label: str, spent: float, cap: float | None, unit: str) -> str:
    """One row: the label and numbers, then the cap's track and the spent part filled."""
    y = PAD // 2 + i * ROW
    track = WIDTH - 2 * PAD
    share = 0.0 if not cap else min(spent / cap, 1.0)
    over = cap is not None and spent >= 0.8 * cap
    cap_text = "no cap" if cap is None else f"of {cap:.2f}{unit}"
    text = f"{label}: {spent:.2f}{unit} {cap_text}"
    cls = ' class="high"' if over else ""
    return (
        f'<text x="{PAD}" y="{y + 10}">{escape(text)}</text>'
        f'<rect class="track" x="{PAD}" y="{y + 14}" width="{track}" height="12"/>'
        f'<rect{cls} x="{PAD}" y="{y + 14}" width="{track * share:.1f}" height="12">'
        f"<title>{escape(text)}</title></rect>"
    )


def meters(title: str, rows: list[tuple[str, float, float | None]], unit: str = "") -> Markup:
    """Spend against a cap per row `(label, spent, cap)`; None: no cap (the track stays empty)."""
    if not rows:
        return Markup('<p class="muted">{}: no data yet.</p>').format(title)
    height = PAD + len(rows) * ROW
    parts = [
        f'<svg role="img" viewBox="0 0 {WIDTH} {height}" class="chart meters">',
        f"<title>{escape(title)}</title>",
        *(_meter(i, label, spent, cap, unit) for i, (label, spent, cap) in enumerate(rows)),
        "</svg>",
    ]
    return Markup("".join(parts))
