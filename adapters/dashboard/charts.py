"""Charts as inline SVG, drawn on the server: no JavaScript, nothing fetched, styled by the
stylesheet's classes (the Content-Security-Policy forbids inline styles). Every chart has a
title for screen readers; the page puts its numbers in a table next to it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 480, 220  # small, so that 14-unit text stays readable when a phone shrinks it
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 36


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    css: str  # the stylesheet class that colours it: s1, s2, s3, ceiling
    values: tuple[float, ...]


def _svg(title: str, body: list[str], width: int = WIDTH, height: int = HEIGHT) -> Markup:
    return Markup(
        f'<svg viewBox="0 0 {width} {height}" role="img" class="chart" focusable="false">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _nice_top(value: float) -> float:
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bars(
    title: str,
    labels: Sequence[str],
    stacked: Sequence[Series],
    *,
    percent: bool = False,
    marker: Series | None = None,
) -> Markup:
    """Stacked bars, one per label; `marker` draws a short line per bar (a ceiling, a target)."""
    n = max(len(labels), 1)
    totals = [sum(s.values[i] for s in stacked) for i in range(len(labels))]
    top = 1.0 if percent else _nice_top(max([*totals, *(marker.values if marker else ())], default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / n
    bar_w = max(min(slot * 0.7, 48), 2)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    body: list[str] = []
    steps = 4 if percent or (top / 4).is_integer() else 5  # 0, 10 … 50 rather than 0, 12.5 … 50
    for step in range(steps + 1):
        value = top * step / steps
        text = f"{value:.0%}" if percent else f"{value:g}"
        body.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{text}</text>'
        )
    every = max(1, math.ceil(n / 8))  # at most eight labels under the axis
    for i, label in enumerate(labels):
        x = LEFT + slot * i + (slot - bar_w) / 2
        base = 0.0
        for series in stacked:
            value = series.values[i]
            if value > 0:
                body.append(
                    f'<rect class="{series.css}" x="{x:.1f}" y="{y(base + value):.1f}" width="{bar_w:.1f}" '
                    f'height="{y(base) - y(base + value):.1f}"/>'
                )
            base += value
        if marker is not None:
            my = y(marker.values[i])
            body.append(
                f'<line class="{marker.css}" x1="{x - 3:.1f}" x2="{x + bar_w + 3:.1f}" '
                f'y1="{my:.1f}" y2="{my:.1f}"/>'
            )
        if i % every == 0:
            body.append(
                f'<text class="axis" x="{x + bar_w / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    body.append(f'<line class="axisline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}"/>')
    return _svg(title, body)


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    size: int


@dataclass(frozen=True, slots=True)
class Link:
    first: str
    second: str
    weight: int


def network(title: str, nodes: Sequence[Node], links: Sequence[Link]) -> Markup:
    """Divisions on a circle, each a disc whose area grows with its members; a line between two
    divisions as thick as the meetups between them. A division with no line is an island."""
    width, height = 600, 400  # room beside the ring for long division names
    cx, cy, ring = width / 2, height / 2, height / 2 - 70
    biggest = max((n.size for n in nodes), default=1) or 1
    heaviest = max((link.weight for link in links), default=1) or 1
    where: dict[str, tuple[float, float]] = {}
    for i, node in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(nodes), 1)
        where[node.name] = (cx + ring * math.cos(angle), cy + ring * math.sin(angle))
    body: list[str] = []
    for link in links:
        if link.first not in where or link.second not in where:
            continue  # a division everyone has left
        (x1, y1), (x2, y2) = where[link.first], where[link.second]
        thickness = 1 + 9 * link.weight / heaviest
        body.append(
            f'<line class="link" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke-width="{thickness:.1f}"/>'
        )
    labels: list[str] = []
    for node in nodes:
        x, y = where[node.name]
        radius = 6 + 24 * math.sqrt(node.size / biggest)
        body.append(f'<circle class="node" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}"/>')
        # The label sits outside the ring, away from the lines that cross the middle.
        dx, dy = (x - cx) / ring, (y - cy) / ring
        lx, ly = x + dx * (radius + 6), y + dy * (radius + 6) + 5 + (dy > 0.5) * 8 - (dy < -0.5) * 6
        anchor = "start" if dx > 0.3 else "end" if dx < -0.3 else "middle"
        labels.append(
            f'<text class="label" x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}">'
            f"{escape(node.name)} ({node.size})</text>"
        )
    return _svg(title, body + labels, width, height)
