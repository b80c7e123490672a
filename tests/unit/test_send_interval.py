"""JEMBATAN_SEND_INTERVAL: the pacing between outbox sends, for operators and the kill campaign."""

import pytest

from adapters.slack.main import SEND_INTERVAL
from bot.settings import ConfigError, Settings


def test_the_pacing_is_the_platforms_unless_set() -> None:
    assert Settings.from_env({}).send_interval is None
    assert SEND_INTERVAL == 1.2  # Slack's: about one post a second, with a margin
    assert Settings.from_env({"JEMBATAN_SEND_INTERVAL": "0.25"}).send_interval == 0.25
    assert Settings.from_env({"JEMBATAN_SEND_INTERVAL": "0"}).send_interval == 0.0


@pytest.mark.parametrize("value", ["fast", "-1", "nan", "61", "1e9"])
def test_a_pacing_that_is_not_a_number_of_seconds_is_one_line_naming_it(value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"JEMBATAN_SEND_INTERVAL": value})
    assert str(refused.value) == "JEMBATAN_SEND_INTERVAL must be a number of seconds from 0 to 60"
