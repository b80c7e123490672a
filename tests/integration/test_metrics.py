"""What /metrics shows an operator moves with what the bot does: commands by kind and outcome,
rounds and groups, sends, and the outbox backlog."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from bot import commands as c
from tests.drive import Driver


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_commands_rounds_and_sends_are_counted(drive: Driver) -> None:
    joined, refused = (
        _value("jembatan_commands_total", kind="Join", outcome="ok"),
        _value("jembatan_commands_total", kind="Pause", outcome="refused"),
    )
    rounds, groups = _value("jembatan_rounds_total"), _value("jembatan_groups_total")
    sent = _value("jembatan_sends_total", result="sent")

    await drive.setup()
    await drive.join_many({f"U{i}": ["Sales", "Finance"][i % 2] for i in range(6)})
    await drive.say("U1", c.Pause(99))  # out of range: refused, nothing changed
    assert _value("jembatan_commands_total", kind="Join", outcome="ok") == joined + 6
    assert _value("jembatan_commands_total", kind="Pause", outcome="refused") == refused + 1

    report = await drive.run_round()
    assert _value("jembatan_rounds_total") == rounds + 1
    assert _value("jembatan_groups_total") == groups + 3
    assert _value("jembatan_sends_total", result="sent") >= sent + report.delivery.sent > sent
    assert _value("jembatan_outbox_pending") >= 0


async def test_a_database_error_in_accepted_work_is_counted() -> None:
    from sqlalchemy.exc import OperationalError

    from bot.intake import Intake

    before = _value("jembatan_database_errors_total")
    intake = Intake(workers=1, capacity=2)

    async def broken() -> None:
        raise OperationalError("SELECT 1", {}, OSError("server closed the connection"))

    accepted = intake.offer("T1", broken)
    assert accepted is not None
    with pytest.raises(OperationalError):
        await accepted
    await intake.close()
    assert _value("jembatan_database_errors_total") == before + 1


async def test_a_database_error_never_carries_peoples_words_into_the_log(database_url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from bot.store.db import create_engine

    engine = create_engine(database_url)
    try:
        with pytest.raises(DBAPIError) as failed:
            async with engine.begin() as conn:
                await conn.execute(
                    text("INSERT INTO no_such_table VALUES (:words)"), {"words": "my secret shout-out"}
                )
        assert "my secret shout-out" not in str(failed.value)
    finally:
        await engine.dispose()
