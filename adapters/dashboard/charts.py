"""Charts as inline SVG, drawn on the server: no JavaScript, nothing fetched, styled by the
stylesheet's classes (the Content-Security-Policy forbids inline styles). Every chart has a
title for screen readers; the page puts its numbers in a table next to it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 40


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
    for step in range(5):
        value = top * step / 4
        text = f"{value:.0%}" if percent else f"{value:g}"
        body.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{text}</text>'
        )
    every = max(1, math.ceil(n / 12))  # at most a dozen labels under the axis
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
    size = 420
    centre, ring = size / 2, size / 2 - 70
    biggest = max((n.size for n in nodes), default=1) or 1
    heaviest = max((link.weight for link in links), default=1) or 1
    where: dict[str, tuple[float, float]] = {}
    for i, node in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(nodes), 1)
        where[node.name] = (centre + ring * math.cos(angle), centre + ring * math.sin(angle))
    body: list[str] = []
    for link in links:
        if link.first not in where or link.second not in where:
            continue  # a division everyone has left
        (x1, y1), (x2, y2) = where[link.first], where[link.second]
        width = 1 + 9 * link.weight / heaviest
        body.append(
            f'<line class="link" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke-width="{width:.1f}"/>'
        )
    for node in nodes:
        x, y = where[node.name]
        radius = 6 + 28 * math.sqrt(node.size / biggest)
        below = y + radius + 14
        body.append(
            f'<circle class="node" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}"/>'
            f'<text class="label" x="{x:.1f}" y="{below:.1f}" text-anchor="middle">'
            f"{escape(node.name)} ({node.size})</text>"
        )
    return _svg(title, body, size, size)
