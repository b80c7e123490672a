"""The divisions a division picker offers: those people taking part use, in their workspace only."""

from bot import commands as c
from bot.domain.model import Platform, TenantRef
from bot.services.members import known_divisions
from tests.drive import ADMIN, Driver

OTHER = TenantRef(Platform.SLACK, "T-OTHER")


async def test_known_divisions_are_those_of_people_taking_part_one_spelling_each(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many(
        {"U1": "Finance", "U2": "Finance", "U3": "finance", "U4": "Sales", "U5": "Legal", "U6": None}
    )
    await drive.say("U5", c.Leave())  # Legal's only member left: not offered
    await drive.say("U4", c.Pause())  # a pause is not a departure: Sales stays
    await drive.say("U9", c.SetDivision("Facilities"))  # a profile without a membership: not offered
    assert await known_divisions(drive.app.deps, drive.tenant) == ["Finance", "Sales"]


async def test_known_divisions_of_one_program_or_the_whole_workspace(drive: Driver) -> None:
    await drive.setup()
    await drive.say(ADMIN, c.SetupProgram(cadence="weekly"), admin=True, channel="C-DESIGN")
    await drive.say("U1", c.Join("Finance"))
    await drive.say("U2", c.Join("Design"), channel="C-DESIGN")
    deps = drive.app.deps
    assert await known_divisions(deps, drive.tenant, "C-PAIRS") == ["Finance"]
    assert await known_divisions(deps, drive.tenant, "C-DESIGN") == ["Design"]
    assert await known_divisions(deps, drive.tenant) == ["Design", "Finance"]
    assert await known_divisions(deps, drive.tenant, "C-NOWHERE") == []


async def test_another_workspaces_divisions_never_appear(drive: Driver) -> None:
    await drive.setup()
    await drive.say(ADMIN, c.SetupProgram(cadence="weekly"), admin=True, tenant=OTHER)
    await drive.say("U1", c.Join("Finance"))
    await drive.say("U1", c.Join("Marketing"), tenant=OTHER)  # the same user id, elsewhere
    assert await known_divisions(drive.app.deps, drive.tenant) == ["Finance"]
    assert await known_divisions(drive.app.deps, OTHER) == ["Marketing"]


async def test_asking_about_an_unknown_workspace_creates_nothing(drive: Driver) -> None:
    stranger = TenantRef(Platform.SLACK, "T-NEW")
    assert await known_divisions(drive.app.deps, stranger) == []
    async with drive.app.store.unit() as uow:
        assert await uow.tenants.find(stranger) is None
