"""The dashboard inside the real processes, against the fake platforms: `jembatan run slack`
in HTTP mode with JEMBATAN_DASHBOARD_URL serves it beside /slack/events, `jembatan run discord
--web-port` on its own port. A browser (a cookie jar) signs in through the fake's OAuth pages,
sees the overview of the program set up from chat, and `/jembatan dashboard` links to it; a
stranger who signs in is refused with 403."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from tests.adapters.discord.fake_discord import MANAGE_GUILD, MEMBER_PERMISSIONS, Person
from tests.e2e.conftest import ADMIN
from tests.e2e.harness import (
    SLACK_READY,
    FakeDiscordServer,
    FakeSlackServer,
    Jembatan,
    SlackClient,
    discord_process,
    free_port,
    migrated_sqlite,
    slack_process,
)

STRANGER = "U0STRANGER"
MOD = Person(500000000000000007, permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)
MEMBER = 500000000000000008


class Browser:
    """A browser's cookie jar: follows redirects (to the fake platform's sign-in page and back)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return int(response.status), response.read().decode()
        except urllib.error.HTTPError as error:
            return int(error.code), error.read().decode()


def _install(url: str, code: str) -> None:
    """A workspace admin clicks "Add to Slack", and Slack sends them back with a code."""
    with urllib.request.urlopen(url + "/slack/install", timeout=30) as response:
        page = response.read().decode()
        # The state cookie is Secure (HTTPS in production): plain HTTP carries it by hand.
        cookie = "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [])
    link = unescape(re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]+)"', page).group(1))  # type: ignore[union-attr]
    state = parse_qs(urlparse(link).query)["state"][0]
    back = urllib.request.Request(
        f"{url}/slack/oauth_redirect?{urlencode({'code': code, 'state': state})}", headers={"Cookie": cookie}
    )
    with urllib.request.urlopen(back, timeout=30) as response:
        assert response.status == 200


@pytest.fixture(scope="module")
def slack_site(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[tuple[FakeSlackServer, Jembatan, str]]:
    fake = FakeSlackServer()
    fake.add_user(ADMIN, "Ratna", admin=True)
    fake.add_user(STRANGER, "Stranger")
    database = migrated_sqlite(tmp_path_factory.mktemp("dash") / "jembatan.db", sqlite_template)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process, _ = slack_process(
        fake,
        database,
        port=port,
        name="slack-dashboard",
        extra_env={
            "JEMBATAN_DASHBOARD_URL": url,
            # Sign in with Slack uses the app's OAuth credentials, so the app takes installs too.
            "JEMBATAN_SECRET_KEY": "e2e-dashboard-secret-key-0123456789",
            "SLACK_CLIENT_ID": fake.fake.client_id,
            "SLACK_CLIENT_SECRET": fake.fake.client_secret,
            "SLACK_OIDC_AUTHORIZE_URL": fake.base_url + "/openid/connect/authorize",
        },
    )
    try:
        process.start()
        process.wait_log(SLACK_READY)
        _install(url, "acme")  # the fake's workspace, T0ACME
        yield fake, process, url
    finally:
        process.close()
        fake.close()


def test_slack_serves_the_dashboard_and_signs_in_through_slack(
    slack_site: tuple[FakeSlackServer, Jembatan, str],
) -> None:
    fake, process, url = slack_site
    chat = SlackClient(fake, url)
    said = chat.command(ADMIN, "setup weekly monday 09:00 tz=UTC", "C0PAIRS")
    assert "set up" in said["text"], said
    chat.command("U0AYU", "join Finance", "C0PAIRS")
    linked = chat.command(ADMIN, "dashboard", "C0PAIRS")
    assert url in linked["text"] and linked.get("response_type") == "ephemeral", linked
    assert url not in chat.command(STRANGER, "dasbor", "C0PAIRS")["text"]

    admin = Browser(url)
    assert admin.get("/")[0] == 401
    fake.call(lambda f: setattr(f, "browser_user", ADMIN))
    status, page = admin.get("/auth/slack")  # to the fake's page and back to the callback
    assert status == 200, page
    status, home = admin.get("/")
    assert status == 200 and "Signed in as Ratna" in home and "C0PAIRS" in home, home
    overview = home.split('href="')[1:]
    program = next(h.split('"')[0] for h in overview if h.startswith("/w/"))
    status, page = admin.get(program)
    assert status == 200 and "Participants" in page, page

    stranger = Browser(url)
    fake.call(lambda f: setattr(f, "browser_user", STRANGER))
    assert stranger.get("/auth/slack")[0] == 200
    assert stranger.get(program)[0] == 403
    assert stranger.get(program + "/settings")[0] == 403
    assert not fake.call(lambda f: list(f.violations))
    assert process.running


def test_discord_serves_the_dashboard_on_its_web_port(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> None:
    fake = FakeDiscordServer()
    guild = fake.call(lambda f: f.guild_id)
    fake.call(lambda f: f.add_member(MOD.user_id, "moderator"))
    fake.call(lambda f: f.add_user_guild(MOD.user_id, guild, "Acme", MANAGE_GUILD))
    fake.call(lambda f: f.add_member(MEMBER, "member"))
    fake.call(lambda f: f.add_user_guild(MEMBER, guild, "Acme", MEMBER_PERMISSIONS))
    database = migrated_sqlite(tmp_path_factory.mktemp("dash") / "jembatan.db", sqlite_template)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = discord_process(
        fake,
        database,
        name="discord-dashboard",
        extra_env={
            "JEMBATAN_DASHBOARD_URL": url,
            "DISCORD_CLIENT_ID": fake.fake.client_id,
            "DISCORD_CLIENT_SECRET": fake.fake.client_secret,
            "DISCORD_OAUTH_URL": fake.fake.base,
        },
    )
    process.args = [*process.args, "--web-port", str(port)]
    try:
        process.start()
        fake.connected(1)
        process.wait_log("the dashboard is at")
        said = fake.slash(MOD, "setup", weekday="monday", time="09:00", timezone="UTC")
        assert "set up" in said.text, said.text
        assert url in fake.slash(MOD, "dashboard").text

        admin = Browser(url)
        fake.call(lambda f: setattr(f, "browser_user", MOD.user_id))
        status, page = admin.get("/auth/discord")
        assert status == 200, page
        status, home = admin.get("/")
        assert status == 200 and "Moderator" in home, home
        program = next(h.split('"')[0] for h in home.split('href="')[1:] if h.startswith("/w/"))
        status, page = admin.get(program)
        assert status == 200 and "Participants" in page, page

        stranger = Browser(url)
        fake.call(lambda f: setattr(f, "browser_user", MEMBER))
        assert stranger.get("/auth/discord")[0] == 200
        assert stranger.get(program)[0] == 403
        assert stranger.get(program + "/people")[0] == 403
        assert not fake.call(lambda f: list(f.violations))
        assert process.running
    finally:
        process.close()
        fake.close()
