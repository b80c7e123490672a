import pytest

from bot.domain import validation as v
from bot.domain.model import Cadence
from bot.domain.validation import InvalidInput


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Finance", "Finance"),
        ("  Customer   Success ", "Customer Success"),
        ("Penjualan & Pemasaran", "Penjualan & Pemasaran"),
        ("é" * 64, "é" * 64),
        ("e\u0301" * 64, "é" * 64),
        ("👩\u200d💻 Engineering", "👩\u200d💻 Engineering"),
        ("Tim <!channel>", "Tim ＠channel"),
    ],
)
def test_division_names_are_tidied(raw: str, expected: str) -> None:
    assert v.division(raw) == expected


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("", "error.division_empty"),
        ("   ", "error.division_empty"),
        ("x" * 65, "error.division_long"),
        ("Sales\nTeam", "error.division_control"),
        ("Sales\u200e", "error.division_control"),
        ("Sales\x07", "error.division_control"),
        ("Sales\u202e", "error.division_control"),
        ("Sa\u200bles", "error.division_control"),
        # One visible letter under 400 accents: short to the eye, too long for the column.
        ("e" + "\u0301" * 400, "error.division_long"),
    ],
)
def test_bad_division_names_are_refused_with_a_reason(raw: str, key: str) -> None:
    with pytest.raises(InvalidInput) as error:
        v.division(raw)
    assert error.value.key == key


@pytest.mark.parametrize(("raw", "weeks"), [(None, None), ("", None), ("1", 1), (12, 12), ("4", 4)])
def test_pause_weeks_accepts_one_to_twelve_or_nothing(raw: object, weeks: int | None) -> None:
    assert v.pause_weeks(raw) == weeks  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["0", "13", "-1", "two", "1.5", "99999999999999999999"])
def test_pause_weeks_out_of_range_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        v.pause_weeks(raw)


# Numbers are ASCII digits on purpose: Python's int() reads all of these as 3 (or 10), and a
# "pause ٣" was taken for three weeks.
NOT_ASCII_NUMBERS = ["٣", "３", "۳", "३", "1_0", "+3", " +3", "3.0", "0x3", "³"]


@pytest.mark.parametrize("raw", NOT_ASCII_NUMBERS)
def test_numbers_are_ascii_digits_only(raw: str) -> None:
    with pytest.raises(InvalidInput):
        v.pause_weeks(raw)
    with pytest.raises(InvalidInput):
        v.group_size(raw)


def test_a_boolean_is_not_a_number() -> None:
    with pytest.raises(InvalidInput):
        v.pause_weeks(True)  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["٠٩:٣٠", "０９:３０", "9:٣٠"])
def test_times_of_day_are_ascii_digits_only(raw: str) -> None:
    with pytest.raises(InvalidInput):
        v.local_time(raw)


def test_time_zones_must_be_real_iana_names_and_are_canonicalised() -> None:
    assert v.timezone("asia/jakarta") == "Asia/Jakarta"
    assert v.timezone(" Europe/Amsterdam ") == "Europe/Amsterdam"
    for bad in ("Mars/Olympus", "WIB", "", "../../etc/passwd", "Asia/Jakarta\x00"):
        with pytest.raises(InvalidInput) as error:
            v.timezone(bad)
        assert error.value.key == "error.timezone"


def test_interests_split_on_commas_or_spaces_and_deduplicate() -> None:
    assert v.interests("Climbing, jazz, climbing") == ("climbing", "jazz")
    assert v.interests("chess running") == ("chess", "running")
    assert v.interests("") == ()
    with pytest.raises(InvalidInput):
        v.interests(", ".join(f"w{i}" for i in range(11)))
    with pytest.raises(InvalidInput):
        v.interests("x" * 33)


@pytest.mark.parametrize(
    "raw",
    [
        "@here thanks!",
        "<!channel> thanks",
        "<!everyone>",
        "@everyone",
        "<!here|here>",
        "<!subteam^S123|@eng>",
        "<@&123456>",
        "@Channel shout",
    ],
)
def test_mass_mentions_lose_their_ping_but_keep_their_words(raw: str) -> None:
    text, _ = v.shoutout_text(raw)
    for ping in ("<!", "@here", "@channel", "@everyone", "<@&"):
        assert ping not in text.lower()
    assert "@\u200b" in text


def test_shoutout_keeps_personal_mentions_and_collects_tags() -> None:
    text, tags = v.shoutout_text("<@U123> fixed the build #Teamwork #ownership #teamwork")
    assert text.startswith("<@U123>")
    assert tags == ("teamwork", "ownership")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("", "error.shoutout_empty"),
        ("x" * 501, "error.shoutout_long"),
        ("hi\x1b[31m", "error.shoutout_control"),
    ],
)
def test_bad_shoutouts_are_refused(raw: str, key: str) -> None:
    with pytest.raises(InvalidInput) as error:
        v.shoutout_text(raw)
    assert error.value.key == key


def test_schedule_words_in_english_and_indonesian() -> None:
    assert v.cadence("Weekly") is Cadence.WEEKLY
    assert v.cadence("bulanan") is Cadence.MONTHLY
    assert v.weekday("thu") == 3
    assert v.weekday("Jumat") == 4
    assert v.local_time("9:30").hour == 9
    for bad, check in (
        ("sometimes", v.cadence),
        ("mo", v.weekday),
        ("25:00", v.local_time),
        ("9am", v.local_time),
        ("5", v.group_size),
        ("fr", v.lang),
        ("maybe", v.cross_division),
    ):
        with pytest.raises(InvalidInput):
            check(bad)


@pytest.mark.parametrize(
    "emoji",
    ["👨\u200d👩\u200d👧", "👩\u200d💻", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"],
)
def test_emoji_built_with_joiners_are_welcome_in_shoutouts(emoji: str) -> None:
    text, _ = v.shoutout_text(f"thanks {emoji} team for the launch")
    assert emoji in text


@pytest.mark.parametrize("hidden", ["\u202e", "\u2066", "\ufeff", "\u200b", "\x1b[31m"])
def test_hidden_characters_in_shoutouts_are_refused(hidden: str) -> None:
    with pytest.raises(InvalidInput) as error:
        v.shoutout_text(f"great work{hidden} on the release")
    assert error.value.key == "error.shoutout_control"
