"""The platform settings a run needs, checked in the core before anything starts: one line each,
naming the variable and never its value."""

from __future__ import annotations

import base64

import pytest

from bot.platform_config import discord_config, slack_config
from bot.process import BadConfig
from bot.settings import Settings

APP_ID = "123456789012345678"
TOKEN = base64.b64encode(APP_ID.encode()).decode().rstrip("=") + ".GhIjKl.secret-part"


def test_an_invite_is_for_the_application_the_token_names_unless_one_is_given() -> None:
    config = discord_config(Settings(discord_token=TOKEN), {})
    assert config.application_id(None) == APP_ID
    assert config.application_id("42") == "42"
    with pytest.raises(BadConfig, match=r"^--client-id must be a number$"):
        config.application_id("forty-two")


def test_a_run_on_discord_needs_a_database_named_outright() -> None:
    # A gateway lock is shared by every process of one bot: no default file will do.
    config = discord_config(Settings(discord_token=TOKEN), {"DISCORD_TOKEN": TOKEN})
    with pytest.raises(BadConfig, match=r"^DATABASE_URL is not set$"):
        config.check_for_run()
    assert (
        discord_config(Settings(discord_token=TOKEN), {"DATABASE_URL": "sqlite://"}).check_for_run() == TOKEN
    )


@pytest.mark.parametrize(
    ("settings", "mode", "message"),
    [
        (
            Settings(slack_bot_token="xoxp-user"),
            "http",
            "SLACK_BOT_TOKEN must be a bot token (it starts with xoxb-)",
        ),
        (
            Settings(slack_bot_token="xoxb-1", slack_app_token="xoxb-2"),
            None,
            "SLACK_APP_TOKEN must be an app-level token (it starts with xapp-)",
        ),
        (
            Settings(slack_client_id="1.2", slack_client_secret="s", slack_signing_secret="s"),
            "http",
            "JEMBATAN_SECRET_KEY is required for OAuth installs",
        ),
        (
            Settings(slack_bot_token="xoxb-1"),
            None,
            "SLACK_SIGNING_SECRET is required for --mode http (or set SLACK_APP_TOKEN to run in Socket Mode)",
        ),
    ],
)
def test_slack_settings_that_cannot_work_are_named(
    settings: Settings, mode: str | None, message: str
) -> None:
    with pytest.raises(BadConfig) as refused:
        slack_config(settings, mode, 3000)
    assert str(refused.value) == message


def test_slack_mode_is_socket_when_an_app_token_is_set_and_the_api_url_ends_in_a_slash() -> None:
    settings = Settings(
        slack_bot_token="xoxb-1", slack_app_token="xapp-1", slack_api_url="http://127.0.0.1:9/api"
    )
    config = slack_config(settings, None, 3000)
    assert (config.mode, config.oauth, config.settings.slack_api_url) == (
        "socket",
        False,
        "http://127.0.0.1:9/api/",
    )
