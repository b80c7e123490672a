import string

from bot.domain.model import Lang
from bot.i18n import catalogue, is_plural, plural_categories, texts, variants


def _fields(entry: object) -> set[str]:
    return {f for item in variants(entry) for _, f, _, _ in string.Formatter().parse(item) if f}


def test_english_and_indonesian_have_the_same_keys_and_placeholders() -> None:
    en, id_ = catalogue(Lang.EN), catalogue(Lang.ID)
    assert set(en) == set(id_)
    mismatched = {k for k in en if _fields(en[k]) != _fields(id_[k])}
    assert not mismatched


def test_every_catalogue_key_the_code_names_exists() -> None:
    import pathlib
    import re

    keys = set(catalogue(Lang.EN))
    used: set[str] = set()
    for path in (pathlib.Path(__file__).resolve().parents[2] / "bot").rglob("*.py"):
        used |= set(
            re.findall(r'(?:t|Refusal|InvalidInput|pick)\("([a-z_]+\.[a-z_0-9.]+)"', path.read_text())
        )
    assert len(used) > 50, "the scan found too few keys to mean anything"
    missing = {k for k in used if k not in keys}
    assert not missing


def test_platform_wording_only_overrides_entries_that_exist() -> None:
    # `[discord.help] member` replaces `help.member` on Discord; an override of nothing is a typo.
    from bot.i18n import texts

    for lang in Lang:
        entries = catalogue(lang)
        overrides = [k for k in entries if k.startswith(("discord.", "slack."))]
        assert overrides
        assert {k.split(".", 1)[1] for k in overrides} <= set(entries)
    assert texts(Lang.EN, "discord")("help.admin") != texts(Lang.EN, "slack")("help.admin")
    assert texts(Lang.EN, "discord")("error.duplicate") == texts(Lang.EN)("error.duplicate")


def test_no_entry_hedges_a_plural_with_parentheses() -> None:
    # "1 colleague(s)" reads as a machine talking: plural entries give each form in full.
    for lang in Lang:
        hedged = [k for k, v in catalogue(lang).items() for item in variants(v) if "(s)" in item]
        assert not hedged, (lang, hedged)


def test_plural_entries_give_every_form_the_language_has_and_count_their_own_placeholder() -> None:
    for lang in Lang:
        for key, entry in catalogue(lang).items():
            if not is_plural(entry):
                continue
            for name, forms in entry["plural"].items():
                assert set(forms) == plural_categories(lang), (lang, key, name)
                assert "{" + name + "}" in entry["text"], (key, name)


def test_counts_choose_the_form_by_cldr_rules() -> None:
    en, id_ = texts(Lang.EN), texts(Lang.ID)
    assert en("round.text", groups=1).startswith("1 conversation across")
    assert en("round.text", groups=30).startswith("30 conversations across")
    assert en("round.text", groups=0).startswith("0 conversations across")
    assert "received by 1 colleague ·" in en(
        "stats.shoutouts_value", given=1, cross=1, received=1, people=1, milestones=2
    )
    assert "2 milestones" in en("stats.shoutouts_value", given=1, cross=1, received=1, people=1, milestones=2)
    assert en("pause.until", weeks=1, date="2026-12-08").startswith("Paused for 1 week,")
    assert "3 minggu" in id_("pause.until", weeks=3, date="2026-12-22")
