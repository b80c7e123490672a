from bot import commands as c
from bot.messages import Intro, RoundAnnouncement
from tests.drive import Driver


async def test_a_round_introduces_everyone_who_joined(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({f"U{i}": ["Sales", "Finance", "Legal"][i % 3] for i in range(6)})
    report = await drive.run_round()
    assert len(report.rounds) == 1
    assert len(drive.messenger.of_kind(Intro)) == 3
    assert len(drive.messenger.of_kind(RoundAnnouncement)) == 1
    introduced = sorted(p.user_id for sent in drive.messenger.of_kind(Intro) for p in sent.message.people)  # type: ignore[union-attr]
    assert introduced == sorted(f"U{i}" for i in range(6))
    partner = next(
        p.user_id
        for sent in drive.messenger.of_kind(Intro)
        for p in sent.message.people  # type: ignore[union-attr]
        if "U1" in {q.user_id for q in sent.message.people} and p.user_id != "U1"  # type: ignore[union-attr]
    )
    reply = await drive.say("U1", c.Status())
    assert f"<@{partner}>" in reply.text
