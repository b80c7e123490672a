"""The admin's picture: participation, meetup rate and cross-division reach per round, as a PNG."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede pyplot

import matplotlib.pyplot as plt

from bot.domain.stats import Stats
from bot.i18n import Texts


def stats_chart(stats: Stats, t: Texts) -> bytes:
    labels = [r.day.strftime("%d %b") for r in stats.trend]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True, constrained_layout=True)
    try:
        positions = range(len(labels))
        top.bar(positions, [r.people for r in stats.trend], color="#4C72B0", label=t("chart.people"))
        top.set_ylabel(t("chart.people"))
        top.set_title(t("chart.title"))
        top.grid(axis="y", alpha=0.3)
        bottom.plot(
            positions,
            [100 * r.meetup_rate for r in stats.trend],
            marker="o",
            color="#55A868",
            label=t("chart.meetup_rate"),
        )
        bottom.plot(
            positions,
            [100 * r.cross_share for r in stats.trend],
            marker="s",
            color="#C44E52",
            label=t("chart.cross_share"),
        )
        bottom.set_ylim(0, 105)
        bottom.set_ylabel("%")
        bottom.legend(loc="lower left")
        bottom.grid(alpha=0.3)
        bottom.set_xticks(list(positions), labels, rotation=30 if len(labels) > 8 else 0)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110)
        return buffer.getvalue()
    finally:
        plt.close(figure)
