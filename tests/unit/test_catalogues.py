import string

from bot.domain.model import Lang
from bot.i18n import catalogue


def _fields(entry: object) -> set[str]:
    items = entry if isinstance(entry, list) else [entry]
    return {f for item in items for _, f, _, _ in string.Formatter().parse(str(item)) if f}


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
