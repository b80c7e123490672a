"""The stats picture says what it shows: values on the bars, each division pair once with a
colour scale, axes named in words, and a title with the program and its dates."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from matplotlib.figure import Figure

from bot.chart import chart_figure, stats_chart
from bot.domain.model import Lang
from bot.domain.stats import compute
from bot.i18n import texts
from tests.unit.test_stats import _facts


@contextmanager
def _figure(lang: Lang = Lang.EN) -> Iterator[Figure]:
    yield chart_figure(compute(_facts()), texts(lang), "#pairs")


def test_each_people_paired_bar_carries_its_value() -> None:
    with _figure() as figure:
        people = figure.axes[0]
        assert people.get_ylabel() == "People paired"
        assert [t.get_text() for t in people.texts] == ["4", "5", "2"]  # people in each round


def test_the_rate_axis_says_what_the_percentages_are_of() -> None:
    with _figure() as figure:
        label = figure.axes[1].get_ylabel()
        assert "%" in label and len(label.split()) > 2


def test_the_heatmap_shows_each_division_pair_once_with_the_diagonal_and_a_colour_bar() -> None:
    with _figure() as figure:
        matrix = figure.axes[2]
        divisions = [t.get_text() for t in matrix.get_yticklabels()]
        assert divisions == ["Eng", "People", "Sales"]
        cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in matrix.texts}
        # Lower triangle with the diagonal: 3 divisions make 6 cells, nothing above.
        assert set(cells) == {(i, j) for i in range(3) for j in range(i + 1)}
        assert cells[(2, 0)] == "2"  # Sales × Eng, once (it was drawn twice, once per side)
        assert cells[(2, 2)] == "1"  # Sales × Sales: meetups inside a division sit on the diagonal
        assert cells[(0, 0)] == "0"
        scales = [a for a in figure.axes[3:] if a.get_ylabel() == "Meetups"]
        assert len(scales) == 1, "a colour bar that says what the colours count"


def test_the_title_names_the_program_and_the_dates_in_its_language() -> None:
    with _figure() as figure:
        title = figure.get_suptitle().replace("\u2009", " ")  # CLDR puts thin spaces around the dash
        assert title.startswith("Jembatan in #pairs, 2 – 16 Nov 2026:")
    stats = compute(_facts())
    with _figure(Lang.ID) as figure:
        assert "#pairs" in figure.get_suptitle()
        assert [t.get_text() for t in figure.axes[1].get_xticklabels()] == ["2 Nov", "9 Nov", "16 Nov"]
    png = stats_chart(stats, texts(Lang.ID), "#pairs")
    assert png.startswith(b"\x89PNG")


def test_indonesian_month_names_come_from_cldr() -> None:
    from datetime import date

    assert texts(Lang.ID).day(date(2026, 12, 7)) == "7 Des"
    assert texts(Lang.ID).day(date(2026, 8, 17)) == "17 Agu"
    spread = texts(Lang.EN).day_range(date(2026, 11, 30), date(2026, 12, 21))
    assert spread.replace("\u2009", " ") == "30 Nov – 21 Dec 2026"
