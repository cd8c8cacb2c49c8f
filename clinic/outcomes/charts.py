"""Server-side SVG charts for the dashboard: no script, nothing but markup (the CSP allows no inline script).

Every bar carries its value as text and every benchmark is a dashed line labelled with
its figure, so nothing is told by colour alone. Pure: plain values in, markup out.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 230
BAR_AREA = WIDTH - LABEL_WIDTH - 130
ROW = 34
BAR = 18


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None      # a rate 0..1, or days
    caption: str             # the value as read aloud: "12 % (3 of 25)", "4.5 days"
    benchmark: float | None = None
    benchmark_caption: str = ""


def bar_chart(chart_id: str, title: str, bars: list[Bar], scale: float | None = None) -> Markup:
    """Horizontal bars, one per row; `scale` is the value at the right edge (1.0 for rates)."""
    values = [b.value or 0 for b in bars] + [b.benchmark or 0 for b in bars]
    top = scale if scale is not None else (max(values) * 1.1 if any(values) else 1)
    height = ROW * len(bars) + 30
    parts = [f'<svg class="chart" id="{escape(chart_id)}" role="img" aria-labelledby="{escape(chart_id)}-title" '
             f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{escape(chart_id)}-title">{escape(title)}</title>']
    for i, bar in enumerate(bars):
        y = 10 + i * ROW
        width = 0 if not bar.value else max(1.0, BAR_AREA * min(bar.value, top) / top)
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 14}" text-anchor="end" font-size="13" '
                     f'fill="#212529">{escape(bar.label)}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR}" fill="#0b4f6c" '
                     f'stroke="#062b3b"><title>{escape(bar.label)}: {escape(bar.caption)}</title></rect>')
        parts.append(f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 14}" font-size="13" '
                     f'fill="#212529">{escape(bar.caption)}</text>')
        if bar.benchmark is not None:
            x = LABEL_WIDTH + BAR_AREA * min(bar.benchmark, top) / top
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 3}" y2="{y + BAR + 3}" stroke="#8a4b00" '
                         f'stroke-width="3" stroke-dasharray="4 2"><title>{escape(bar.benchmark_caption)}</title></line>')
            parts.append(f'<text x="{x:.1f}" y="{y + BAR + 11}" font-size="10" text-anchor="middle" '
                         f'fill="#5c3200">{escape(bar.benchmark_caption)}</text>')
    parts.append(f'<line x1="{LABEL_WIDTH}" x2="{LABEL_WIDTH}" y1="4" y2="{height - 16}" stroke="#495057"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704: every text above went through escape(); the rest are numbers
