"""The outbox relay: nothing lost, nothing sent twice by the relay, patience with rate limits."""

from datetime import timedelta

from bot import commands as c
from bot.messages import Intro, RoundAnnouncement
from bot.ports import DeliveryFailed
from tests.drive import Driver
from tests.fakes import rate_limited


async def _round(drive: Driver, people: int = 4) -> None:
    await drive.setup()
    await drive.join_many({f"U{i}": ["Sales", "Finance"][i % 2] for i in range(people)})
    program = await drive.program()
    from bot.domain import schedule

    drive.clock.now = schedule.next_after(program.config, drive.clock.now).due


async def _statuses(drive: Driver) -> dict[str, int]:
    async with drive.app.store.unit() as uow:
        tenant_id = await uow.tenants.find(drive.tenant)
        assert tenant_id is not None
        return await uow.scoped(tenant_id).outbox.counts()


async def test_a_failure_mid_delivery_is_retried_and_nothing_is_sent_twice(drive: Driver) -> None:
    await _round(drive)
    drive.messenger.failures = [ConnectionResetError("reset by peer")]
    report = await drive.tick()
    assert report.delivery.retried == 1 and report.delivery.sent == 2
    drive.clock.advance(seconds=5)
    await drive.app.relay.drain()
    assert len(drive.messenger.of_kind(RoundAnnouncement)) == 1
    assert len(drive.messenger.of_kind(Intro)) == 2
    assert len({s.key for s in drive.messenger.sent}) == len(drive.messenger.sent)
    assert await _statuses(drive) == {"sent": 3}
    await drive.app.relay.drain()
    assert len(drive.messenger.sent) == 3


async def test_a_rate_limit_holds_the_whole_workspace_until_retry_after(drive: Driver) -> None:
    # The platform's Retry-After is about the workspace, not the one message it refused: no
    # request of any row goes to it before the wait is over.
    await _round(drive, people=2)
    drive.messenger.failures = [rate_limited(30)]
    await drive.tick()
    assert len(drive.messenger.sent) == 0  # the announcement was refused; the intro waits too
    drive.clock.advance(seconds=29)
    await drive.app.relay.drain()
    assert len(drive.messenger.sent) == 0
    drive.clock.advance(seconds=2)
    await drive.app.relay.drain()
    assert len(drive.messenger.sent) == 2


async def test_a_permanent_refusal_is_marked_failed_not_retried_forever(drive: Driver) -> None:
    await _round(drive, people=2)
    drive.messenger.failures = [DeliveryFailed("channel_not_found", retryable=False)]
    await drive.tick()
    drive.clock.advance(hours=1)
    await drive.app.relay.drain()
    # The announcement failed once and for all; the intro and the admin's notice about it went.
    assert await _statuses(drive) == {"failed": 1, "sent": 2}
    assert len(drive.messenger.to("DM-U-ADMIN")) == 1


async def test_retries_give_up_after_the_last_attempt(drive: Driver) -> None:
    await _round(drive, people=2)
    drive.messenger.failures = [rate_limited(1) for _ in range(20)]
    await drive.tick()
    for _ in range(12):
        await drive.app.relay.run_once()
        drive.clock.advance(minutes=10)
    assert await _statuses(drive) == {"failed": 2}  # six attempts each, then given up
    assert len(drive.messenger.failures) == 20 - 2 * 6


async def test_a_revoked_token_stops_everything_for_that_workspace(drive: Driver) -> None:
    await _round(drive)
    drive.messenger.failures = [DeliveryFailed("token_revoked", retryable=False, tenant_gone=True)]
    await drive.tick()
    assert drive.messenger.sent == []
    assert await _statuses(drive) == {"failed": 3}
    drive.clock.advance(days=7)
    report = await drive.tick()
    assert report.rounds == [] and drive.messenger.sent == []


async def test_uninstall_erases_the_workspace_and_sends_nothing_more(drive: Driver) -> None:

    await _round(drive)
    await drive.say("U1", c.GiveShoutOut(("U2",), "thanks"))
    assert await drive.app.uninstall(drive.tenant)
    await drive.tick()
    assert drive.messenger.sent == []
    async with drive.app.store.unit() as uow:
        assert await uow.tenants.find(drive.tenant) is None
    assert not await drive.app.uninstall(drive.tenant)


async def test_a_bug_while_sending_takes_bounded_retries_and_never_stalls_the_queue(drive: Driver) -> None:
    await _round(drive, people=2)
    drive.messenger.failures = [KeyError("a renderer bug") for _ in range(20)]
    await drive.tick()
    for _ in range(12):
        await drive.app.relay.run_once()
        drive.clock.advance(minutes=10)
    assert await _statuses(drive) == {"failed": 2}  # not stuck in `sending`, not retried forever
    assert len(drive.messenger.failures) == 20 - 2 * 6
    drive.messenger.failures = []
    await drive.say("U0", c.GiveShoutOut(("U1",), "thanks for the help"))
    await drive.app.relay.drain()
    assert [type(s.message).__name__ for s in drive.messenger.sent] == ["ShoutOut"]


async def test_a_row_whose_sender_keeps_dying_is_given_up_after_the_last_attempt(drive: Driver) -> None:
    await _round(drive, people=2)
    from bot.services.rounds import due_rounds

    await due_rounds(drive.app.deps)
    for dead in range(6):  # six senders each start sending the first row and die before answering
        async with drive.app.store.unit() as uow:
            tenant_id = await uow.tenants.find(drive.tenant)
            assert tenant_id is not None
            row = await uow.scoped(tenant_id).outbox.claim_next(
                drive.clock.now, timedelta(minutes=5), 1000 + dead
            )
            await uow.commit()
        assert row is not None and row.attempts == dead + 1
        restarted = await drive.app.store.register_holder(drive.clock.now)  # takes the row back
        await restarted.close()
    await drive.app.relay.drain()
    # That row is given up; the one no sender ever tried goes out.
    assert await _statuses(drive) == {"failed": 1, "sent": 1}
    assert [s.key for s in drive.messenger.sent] == [f"jb{3 - row.id}"]


async def test_a_row_this_version_cannot_read_fails_without_blocking_the_rest(drive: Driver) -> None:
    from sqlalchemy import update

    from bot.store.tables import outbox

    await _round(drive, people=2)
    from bot.services.rounds import due_rounds

    await due_rounds(drive.app.deps)
    async with drive.app.store.engine.begin() as conn:
        first = (await conn.execute(outbox.select().order_by(outbox.c.id).limit(1))).first()
        assert first is not None
        await conn.execute(
            update(outbox)
            .where(outbox.c.id == first.id)
            .values(message='{"kind": "FromTheFuture", "data": {}}')
        )
    await drive.app.relay.drain()
    assert len(drive.messenger.sent) == 1
    assert await _statuses(drive) == {"failed": 1, "sent": 1}


async def test_one_process_never_delivers_twice_at_once_so_pacing_holds(drive: Driver) -> None:
    # The tick and the relay's own job both call run_once; a second run while the first waits
    # for its workspace's next slot must leave that workspace to it.
    import asyncio

    from bot.delivery import Relay
    from bot.services.rounds import due_rounds

    await _round(drive, people=6)
    await due_rounds(drive.app.deps)  # queues an announcement and three intros
    pause, pacing = asyncio.Event(), asyncio.Event()

    async def paced(seconds: float) -> None:
        pacing.set()  # the first message is out; the relay now waits for the next slot
        await pause.wait()
        drive.clock.advance(seconds=seconds)

    relay = Relay(drive.app.store, drive.messenger, drive.clock, min_interval=1.0, sleep=paced)
    first = asyncio.create_task(relay.run_once())
    await asyncio.wait_for(pacing.wait(), 5)
    overlapping = asyncio.create_task(relay.run_once())  # while the first waits out its pacing
    done, _ = await asyncio.wait({overlapping}, timeout=2)
    sent_meanwhile = len(drive.messenger.sent)
    pause.set()
    assert overlapping in done, "a second delivery ran alongside the first"
    assert overlapping.result().sent == 0 and sent_meanwhile == 1
    assert (await first).sent == 4


async def test_a_channel_that_refuses_posts_is_reported_to_the_admin_who_set_it_up(drive: Driver) -> None:
    # Typically the bot was never added to the channel: the intros still go out, but nobody
    # would notice the missing announcement.
    from bot.messages import Notice

    drive.messenger.refusing["C-PAIRS"] = DeliveryFailed("not_in_channel", retryable=False)
    await _round(drive)
    await drive.tick()
    await drive.app.relay.drain()
    assert len(drive.messenger.of_kind(Intro)) == 2
    [told] = drive.messenger.to("DM-U-ADMIN")
    assert isinstance(told.message, Notice)
    assert told.message.text.startswith("I couldn't post in <#C-PAIRS> (not_in_channel)")
    assert "`/invite @Jembatan`" in told.message.text
    await drive.say("U1", c.GiveShoutOut(("U2",), "thanks for the demo"))  # fails there the same day
    await drive.app.relay.drain()
    assert len(drive.messenger.to("DM-U-ADMIN")) == 1  # once a day per channel, not per message
    drive.clock.advance(days=1)
    await drive.say("U2", c.GiveShoutOut(("U1",), "thanks back"))
    await drive.app.relay.drain()
    assert len(drive.messenger.to("DM-U-ADMIN")) == 2


async def test_a_passing_outage_is_not_reported_to_anyone(drive: Driver) -> None:
    drive.messenger.refusing["C-PAIRS"] = DeliveryFailed("service_unavailable", retryable=True)
    await _round(drive)
    await drive.tick()
    for _ in range(8):  # every retry spent
        drive.clock.advance(minutes=30)
        await drive.app.relay.run_once()
    assert drive.messenger.to("DM-U-ADMIN") == []
    assert (await _statuses(drive)).get("failed") == 1


async def test_an_admin_who_never_joined_and_asks_to_be_forgotten_gets_no_notice(drive: Driver) -> None:
    drive.messenger.refusing["C-PAIRS"] = DeliveryFailed("not_in_channel", retryable=False)
    await _round(drive)
    # The announcement fails for good; a notice to U-ADMIN is queued (and meets a rate limit,
    # as a relay that sends it in the same pass might).
    drive.messenger.refusing["DM-U-ADMIN"] = rate_limited(30)
    await drive.tick()
    del drive.messenger.refusing["DM-U-ADMIN"]
    await drive.say("U-ADMIN", c.ForgetMe(confirmed=True), admin=True)
    await drive.app.relay.drain()
    assert drive.messenger.to("DM-U-ADMIN") == []
    async with drive.app.store.engine.connect() as conn:
        from sqlalchemy import text

        rows = (await conn.execute(text("SELECT destination FROM outbox"))).scalars().all()
    assert not [row for row in rows if "U-ADMIN" in row]
