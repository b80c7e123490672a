"""Platform text limits: long text split into pieces that fit, counted in UTF-16 units."""

from __future__ import annotations

from bot.domain.lengths import listed, packed, split, units


def test_text_that_fits_is_one_piece_and_empty_text_is_one_empty_piece() -> None:
    assert split("a\nb", 10) == ["a\nb"]
    assert split("", 10) == [""]


def test_long_text_splits_at_line_ends_and_loses_nothing() -> None:
    text = "\n".join(f"line {i}" for i in range(10))
    pieces = split(text, 20)
    assert all(units(p) <= 20 for p in pieces) and len(pieces) > 1
    assert "\n".join(pieces) == text
    assert all(not p.startswith("\n") and not p.endswith("\n") for p in pieces)


def test_a_line_longer_than_the_limit_is_broken_without_halving_an_emoji() -> None:
    pieces = split("🌉" * 5, 3)  # each bridge is two units
    assert pieces == ["🌉", "🌉", "🌉", "🌉", "🌉"]
    assert "".join(split("x" * 25, 10)) == "x" * 25


def test_a_list_keeps_whole_lines_within_its_budget_and_counts_the_rest() -> None:
    lines = [f"group {n}" for n in range(100)]
    shown = listed(lines, 50, 3000)
    assert shown[:-1] == lines[: len(shown) - 1] and shown[-1] == f"… (+{100 - len(shown) + 1})"
    assert sum(units(line) + 1 for line in shown[:-1]) <= 50
    assert listed(["a", "b"], 50, 3000) == ["a", "b"]


def test_lines_are_packed_into_few_pieces_each_within_the_limit() -> None:
    pieces = packed(["x" * 6, "y" * 6, "z" * 30], 14)
    assert pieces == ["x" * 6 + "\n" + "y" * 6, "z" * 13 + "…"]
    assert all(units(p) <= 14 for p in pieces) and packed([], 14) == []
