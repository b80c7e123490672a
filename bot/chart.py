"""The admin's picture: participation, meetup rate and cross-division reach per round, and
which divisions actually meet, as one PNG."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from bot.domain.stats import Stats
from bot.i18n import Texts

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def stats_chart(stats: Stats, t: Texts) -> bytes:
    # Imported here, not at the top: matplotlib is most of a start's import time, and a process
    # restarted after a crash should be sending again as soon as it can.
    import matplotlib

    matplotlib.use("Agg")  # no display on a server; must precede pyplot
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(12, 6), constrained_layout=True)
    grid = figure.add_gridspec(2, 2, width_ratios=(3, 2))
    people, rates, matrix = (
        figure.add_subplot(grid[0, 0]),
        figure.add_subplot(grid[1, 0]),
        figure.add_subplot(grid[:, 1]),
    )
    try:
        figure.suptitle(t("chart.title"))
        labels = [r.day.strftime("%d %b") for r in stats.trend]
        positions = list(range(len(labels)))
        people.bar(positions, [r.people for r in stats.trend], color="#4C72B0")
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
        rates.set_ylabel("%")
        rates.legend(loc="lower left")
        rates.grid(alpha=0.3)
        rates.set_xticks(positions, labels, rotation=30 if len(labels) > 8 else 0)
        _matrix(matrix, stats, t)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()
    finally:
        plt.close(figure)


def _matrix(axes: Axes, stats: Stats, t: Texts) -> None:
    """Meetups by division pair: bright off the diagonal is the bridge working."""
    divisions = sorted({d for pair in stats.matrix for d in pair})
    axes.set_title(t("chart.matrix"))
    if not divisions:
        axes.text(0.5, 0.5, "–", ha="center", va="center")
        axes.set_axis_off()
        return
    index = {d: i for i, d in enumerate(divisions)}
    grid = [[0] * len(divisions) for _ in divisions]
    for (a, b), count in stats.matrix.items():
        grid[index[a]][index[b]] += count
        if a != b:
            grid[index[b]][index[a]] += count
    axes.imshow(grid, cmap="Greens")
    axes.set_xticks(range(len(divisions)), divisions, rotation=45, ha="right")
    axes.set_yticks(range(len(divisions)), divisions)
    peak = max(max(row) for row in grid) or 1
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if value:
                axes.text(
                    j,
                    i,
                    str(value),
                    ha="center",
                    va="center",
                    color="white" if value > peak / 2 else "black",
                    fontsize=9,
                )
