"""The admin's picture: participation, meetup rate and cross-division reach per round, and
which divisions actually meet, as one PNG."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from bot.domain.stats import Stats
from bot.i18n import Texts

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def stats_chart(stats: Stats, t: Texts, subject: str) -> bytes:
    """`subject` names what the numbers cover: the program's channel, or the whole workspace."""
    figure = chart_figure(stats, t, subject)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def chart_title(stats: Stats, t: Texts, subject: str) -> str:
    if not stats.trend:
        return t("chart.title_empty", subject=subject)
    dates = t.day_range(stats.trend[0].day, stats.trend[-1].day)
    return t("chart.title", subject=subject, dates=dates)


def chart_figure(stats: Stats, t: Texts, subject: str) -> Figure:
    """The figure itself: tests read its parts, `stats_chart` saves it. A bare Figure, not
    pyplot's, so nothing is kept in a global registry and there is nothing to close."""
    # Imported here, not at the top: matplotlib is most of a process's start-up time, and only
    # `stats` needs it.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(13, 6.5), layout="constrained")
    grid = figure.add_gridspec(2, 2, width_ratios=(3, 2))
    people, rates, matrix = (
        figure.add_subplot(grid[0, 0]),
        figure.add_subplot(grid[1, 0]),
        figure.add_subplot(grid[:, 1]),
    )
    figure.suptitle(chart_title(stats, t, subject), fontsize=13)
    labels = [t.day(r.day) for r in stats.trend]
    positions = list(range(len(labels)))
    bars = people.bar(positions, [r.people for r in stats.trend], color="#4C72B0")
    people.bar_label(bars, padding=2, fontsize=9)  # the count on each bar: no squinting at the axis
    people.margins(y=0.15)  # room above the tallest bar for its label
    people.set_ylabel(t("chart.people"))
    people.set_xticks(positions, [""] * len(positions))
    people.grid(axis="y", alpha=0.3)
    rates.plot(
        positions,
        [100 * r.meetup_rate for r in stats.trend],
        marker="o",
        color="#55A868",
        label=t("chart.meetup_rate"),
    )
    rates.plot(
        positions,
        [100 * r.cross_share for r in stats.trend],
        marker="s",
        color="#C44E52",
        label=t("chart.cross_share"),
    )
    rates.set_ylim(0, 105)
    rates.set_ylabel(t("chart.percent"))
    rates.legend(loc="lower left")
    rates.grid(alpha=0.3)
    rates.set_xticks(positions, labels, rotation=30 if len(labels) > 8 else 0)
    _matrix(figure, matrix, stats, t)
    return figure


def _matrix(figure: Figure, axes: Axes, stats: Stats, t: Texts) -> None:
    """Meetups by division pair, each pair once (lower triangle); the diagonal is meetups inside
    one division, so a pale diagonal and a dark triangle mean the bridge is working."""
    import matplotlib
    import numpy as np

    divisions = sorted({d for pair in stats.matrix for d in pair})
    axes.set_title(t("chart.matrix"))
    if not divisions:
        axes.text(0.5, 0.5, "–", ha="center", va="center")
        axes.set_axis_off()
        return
    index = {d: i for i, d in enumerate(divisions)}
    grid = np.zeros((len(divisions), len(divisions)))
    for (a, b), count in stats.matrix.items():
        row, column = sorted((index[a], index[b]), reverse=True)  # always below the diagonal
        grid[row][column] += count
    upper = np.triu(np.ones_like(grid, dtype=bool), k=1)
    shown = np.ma.masked_array(grid, mask=upper)
    colours = matplotlib.colormaps["Greens"].with_extremes(bad="white")
    image = axes.imshow(shown, cmap=colours, vmin=0, vmax=max(1.0, float(grid.max())))
    axes.set_xticks(range(len(divisions)), divisions, rotation=45, ha="right")
    axes.set_yticks(range(len(divisions)), divisions)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    peak = grid.max() or 1
    for i in range(len(divisions)):
        for j in range(i + 1):
            value = int(grid[i][j])
            axes.text(
                j,
                i,
                str(value),
                ha="center",
                va="center",
                color="white" if value > peak / 2 else ("black" if value else "#999999"),
                fontsize=9,
            )
    axes.set_xlabel(t("chart.matrix_note"), fontsize=9)
    scale = figure.colorbar(image, ax=axes, shrink=0.7)
    scale.set_label(t("chart.matrix_scale"))
