"""Every message a member sees, rendered as text and compared with tests/golden/: a wording
change is a reviewed diff. Regenerate with UPDATE_GOLDEN=1 after checking the change."""

import os
from pathlib import Path

import pytest
from rich.console import Console

from adapters.console.render import render
from bot import commands as c
from bot.messages import Intro
from tests.drive import Driver

GOLDEN = Path(__file__).parent.parent / "golden"
NAMES = {"U-ANA": "Ana", "U-BUDI": "Budi", "U-CITRA": "Citra", "U-ADMIN": "Ratna"}


@pytest.mark.parametrize("lang", ["en", "id"])
async def test_rendered_messages_match_the_golden_transcript(
    drive: Driver, lang: str, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("one backend is enough for wording")
    await drive.setup(lang=lang)
    await drive.say("U-ANA", c.Join("Finance"))
    await drive.say("U-ANA", c.SetInterests("climbing, jazz"))
    await drive.say("U-BUDI", c.Join("Engineering"))
    await drive.say("U-BUDI", c.SetInterests("jazz"))
    await drive.say("U-BUDI", c.SetTimezone("Asia/Makassar"))
    await drive.say("U-CITRA", c.Join("Finance"))
    for other in ("U-ANA", "U-BUDI"):  # so Citra sits this round out, and is told why
        await drive.say("U-ADMIN", c.BlockPair("U-CITRA", other), admin=True)
    await drive.run_round()
    await drive.say("U-ANA", c.GiveShoutOut(("U-BUDI",), "fixed the release pipeline @here #teamwork"))
    drive.clock.advance(days=4)
    await drive.tick()  # check-in
    group = drive.messenger.of_kind(Intro)[0].message
    await drive.say("U-BUDI", c.RecordOutcome(group.group_id, "met"))  # type: ignore[union-attr]
    drive.clock.advance(days=1)
    await drive.tick()  # milestone digest
    stats = await drive.say("U-ADMIN", c.ShowStats(), admin=True)
    assert stats.message is not None
    console = Console(record=True, width=80, color_system=None, force_terminal=False)
    for sent in drive.messenger.sent:
        console.print(f"→ {sent.conversation}")
        console.print(render(sent.message, NAMES))
    console.print("→ (the admin's stats)")
    console.print(render(stats.message, NAMES))
    transcript = console.export_text()
    kinds = {type(sent.message).__name__ for sent in drive.messenger.sent} | {"StatsReport"}
    assert kinds == {"RoundAnnouncement", "Intro", "CheckIn", "ShoutOut", "Notice", "StatsReport"}
    path = GOLDEN / f"messages.{lang}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(transcript, encoding="utf-8")
    assert path.exists(), f"no golden transcript yet: run UPDATE_GOLDEN=1 pytest {__file__}"
    assert transcript == path.read_text(encoding="utf-8")
