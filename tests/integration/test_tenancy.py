"""Every workspace is an island: same user ids, same channel ids, nothing crosses."""

from datetime import timedelta

from bot import commands as c
from bot.domain.model import Lang, Platform, TenantRef
from bot.i18n import texts
from bot.messages import Intro
from tests.drive import Driver

OTHER = TenantRef(Platform.DISCORD, "G-OTHER")


async def test_two_workspaces_with_the_same_ids_never_mix(drive: Driver) -> None:
    await drive.setup()
    await drive.say(
        "U-ADMIN",
        c.SetupProgram(cadence="weekly", weekday="monday", time="09:00", timezone="Asia/Jakarta"),
        admin=True,
        tenant=OTHER,
    )
    for user, division in {"U1": "Sales", "U2": "Finance"}.items():
        await drive.say(user, c.Join(division))
        await drive.say(user, c.Join("Legal"), tenant=OTHER)
    await drive.say("U3", c.Join("Ops"), tenant=OTHER)
    await drive.say("U1", c.Pause(), tenant=OTHER)
    await drive.run_round()
    by_tenant: dict[str, set[str]] = {}
    for sent in drive.messenger.of_kind(Intro):
        members = {p.user_id for p in sent.message.people}  # type: ignore[union-attr]
        by_tenant.setdefault(sent.tenant.external_id, set()).update(members)
    assert by_tenant == {"T-ACME": {"U1", "U2"}, "G-OTHER": {"U2", "U3"}}
    status = await drive.say("U1", c.Status())
    assert "You're in" in status.text  # the pause in the other workspace does not leak here


async def test_a_click_cannot_reach_another_workspaces_group(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    await drive.run_round()
    group = (await drive.latest_groups())[0]
    reply = await drive.say("U1", c.RecordOutcome(group.id, "met"), tenant=OTHER)
    assert "don't recognise that button" in reply.text
    assert (await drive.latest_groups())[0].outcome.value == "pending"


async def test_admin_lists_and_blocks_are_per_workspace(drive: Driver) -> None:
    await drive.setup()
    await drive.say("U-ADMIN", c.GrantAdmin("U-LEAD"), admin=True)
    reply = await drive.say("U-LEAD", c.ShowStats(), tenant=OTHER)
    assert reply.text == texts(Lang.EN, OTHER.platform.value)("error.admin_only")  # Discord's wording


async def test_one_workspace_in_trouble_never_holds_back_the_others(drive: Driver) -> None:
    await drive.setup()
    await drive.say(
        "U-ADMIN",
        c.SetupProgram(cadence="weekly", weekday="monday", time="09:00", timezone="Asia/Jakarta"),
        admin=True,
        tenant=OTHER,
    )
    for user, division in {"U1": "Sales", "U2": "Finance"}.items():
        await drive.say(user, c.Join(division))
        await drive.say(user, c.Join(division), tenant=OTHER)
    drive.directory.unreachable.add(OTHER.external_id)
    await drive.run_round()
    assert {s.tenant for s in drive.messenger.of_kind(Intro)} == {drive.tenant}
    drive.directory.unreachable.clear()  # back up a few minutes later: its round catches up
    drive.clock.advance(minutes=5)
    await drive.tick()
    assert {s.tenant for s in drive.messenger.of_kind(Intro)} == {drive.tenant, OTHER}


async def test_workspaces_missing_from_the_platforms_list_are_erased_and_only_those(drive: Driver) -> None:
    from bot.services.dispatch import forget_absent

    listed = TenantRef(Platform.DISCORD, "G-LISTED")
    same_id_elsewhere = TenantRef(Platform.SLACK, OTHER.external_id)  # another platform's workspace
    await drive.setup()
    for tenant in (OTHER, listed, same_id_elsewhere):
        setup = c.SetupProgram(cadence="weekly", weekday="monday", time="09:00", timezone="Asia/Jakarta")
        await drive.say("U-ADMIN", setup, admin=True, tenant=tenant)
        await drive.say("U1", c.Join("Sales"), tenant=tenant)
    now = drive.clock()
    # A list naming none of our servers is more likely another bot's: nothing goes.
    assert await forget_absent(drive.app.deps, Platform.DISCORD, ["G-SOMEONE-ELSES"], now) == []
    # A server whose data began after the list was made is newer than the list: it stays.
    earlier = now - timedelta(seconds=5)
    assert await forget_absent(drive.app.deps, Platform.DISCORD, ["G-LISTED"], earlier) == []
    erased = await forget_absent(drive.app.deps, Platform.DISCORD, ["G-LISTED", "G-NEVER-SEEN"], now)
    assert erased == [OTHER]
    async with drive.app.store.unit() as uow:
        assert await uow.tenants.find(OTHER) is None
        for kept in (listed, same_id_elsewhere, drive.tenant):
            assert await uow.tenants.find(kept) is not None
    assert await forget_absent(drive.app.deps, Platform.DISCORD, ["G-LISTED"], now) == []
