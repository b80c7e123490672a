"""Admin subcommands are checked on every call from the caller's own permissions in that very
interaction: Discord's command visibility is only a hint that server admins can override."""

from __future__ import annotations

import pytest

from bot.domain.model import Lang
from bot.i18n import texts
from tests.adapters.discord.conftest import ADMIN, Env
from tests.adapters.discord.fake_discord import MANAGE_GUILD, MEMBER_PERMISSIONS, Person, User

t = texts(Lang.EN, "discord")  # what Discord users read
MANAGE_CHANNELS, ADMINISTRATOR, MANAGE_MESSAGES, MANAGE_THREADS = 1 << 4, 1 << 3, 1 << 13, 1 << 34
# A moderator whose server shows them every command, but who lacks Manage Server.
MODERATOR = Person(
    800000000000000001, MEMBER_PERMISSIONS | MANAGE_CHANNELS | MANAGE_MESSAGES | MANAGE_THREADS
)
OTHER = User(800000000000000009)

ADMIN_CALLS: list[tuple[str, dict[str, object]]] = [
    ("setup", {"cadence": "weekly"}),
    ("round-now", {}),
    ("round-preview", {}),
    ("stats", {}),
    ("block", {"first": OTHER, "second": User(800000000000000008)}),
    ("export-csv", {}),
    ("admin", {"member": OTHER}),
]


@pytest.mark.parametrize(("sub", "options"), ADMIN_CALLS, ids=[c[0] for c in ADMIN_CALLS])
async def test_admin_commands_refuse_members_without_manage_server(
    env: Env, sub: str, options: dict[str, object]
) -> None:
    if sub != "setup":
        await env.slash(ADMIN, "setup")
    for who in (Person(800000000000000002), MODERATOR):
        answer = await env.slash(who, sub, **options)
        assert answer.ephemeral
        assert answer.text == t("error.admin_only")
        assert answer.files == []


async def test_a_refused_setup_changes_nothing(env: Env) -> None:
    await env.slash(MODERATOR, "setup", cadence="weekly")
    assert (await env.slash(MODERATOR, "join")).text == t("error.no_program_here")


async def test_manage_server_administrator_or_the_configured_role_may_run_admin_commands(env: Env) -> None:
    assert (await env.slash(ADMIN, "setup")).text.startswith("Jembatan is set up")
    administrator = Person(800000000000000003, MEMBER_PERMISSIONS | ADMINISTRATOR)
    with_role = Person(800000000000000004, MEMBER_PERMISSIONS, roles=(env.admin_role,))
    for who in (administrator, with_role):
        assert (await env.slash(who, "round-preview")).text.startswith("Preview of the next round")


async def test_rights_are_read_from_each_interaction_not_remembered(env: Env) -> None:
    boss = Person(800000000000000005, MEMBER_PERMISSIONS | MANAGE_GUILD)
    assert (await env.slash(boss, "setup")).text.startswith("Jembatan is set up")
    demoted = Person(boss.user_id, MEMBER_PERMISSIONS)
    assert (await env.slash(demoted, "round-preview")).text == t("error.admin_only")
