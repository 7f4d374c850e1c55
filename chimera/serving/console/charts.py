"""Server-side SVG charts: no JavaScript, readable by screen readers (title + table fallback)."""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 560, 160, 24


def bars(title: str, points: list[tuple[str, float]], unit: str = "") -> Markup:
    """A bar chart of `(label, value)` points as inline SVG with a title and per-bar labels."""
    if not points:
        return Markup('<p class="muted">{}: no data yet.</p>').format(title)
    top = max(v for _, v in points) or 1.0
    step = min((WIDTH - 2 * PAD) / len(points), 48.0)  # one day of data is not a wall of ink
    parts = [
        f'<svg role="img" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(points):
        h = (HEIGHT - 2 * PAD) * value / top
        x, y = PAD + i * step, HEIGHT - PAD - h
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{max(step - 4, 1):.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {value:g}{escape(unit)}</title></rect>"
        )
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle">'
            f"{escape(label[-5:])}</text>"
            f'<text x="{x + step / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{value:g}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
