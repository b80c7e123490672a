"""Removal: `app_uninstalled` and `tokens_revoked`, in either order, erase the workspace."""

from __future__ import annotations

import pytest

from bot.domain.model import Platform, TenantRef
from tests.adapters.slack.conftest import ADMIN, Harness

UNINSTALLED = {"type": "app_uninstalled", "event_ts": "1.0"}
REVOKED = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}, "event_ts": "1.0"}


async def tenant_exists(h: Harness) -> bool:
    async with h.slack.jembatan.store.unit() as uow:
        return await uow.tenants.find(TenantRef(Platform.SLACK, h.team)) is not None


@pytest.mark.parametrize(
    "order", [(UNINSTALLED, REVOKED), (REVOKED, UNINSTALLED)], ids=["uninstall-first", "revoke-first"]
)
async def test_removal_erases_the_workspace_and_nothing_more_is_sent(
    program: Harness, order: tuple[dict[str, object], dict[str, object]]
) -> None:
    h = program
    await h.join_everyone({f"U{i}": d for i, d in enumerate(["Finance", "Sales", "Legal", "Ops"])})
    await h.slash(ADMIN, "round now")  # intros queued, not yet delivered
    calls_before = len(h.fake.calls)
    for event in order:
        assert (await h.event(event)).status == 200
        assert not await tenant_exists(h)
    h.fake.revoked.add(h.fake.bot_token)
    await h.deliver()
    h.clock.advance(days=4)
    await h.slack.jembatan.ticker.tick()
    h.clock.advance(days=30)
    await h.slack.jembatan.ticker.tick()
    assert h.fake.calls[calls_before:] == []


async def test_a_removal_retried_after_the_erase_does_nothing(program: Harness) -> None:
    h = program
    await h.join_everyone({"U1": "Finance", "U2": "Sales"})
    assert (await h.event(UNINSTALLED, "Ev0GONE")).status == 200
    calls_before = len(h.fake.calls)
    for retry in ("1", "2"):
        response = await h.event(
            UNINSTALLED, "Ev0GONE", **{"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"}
        )
        assert response.status == 200
    # The retry neither fails nor brings the erased workspace back.
    assert not await tenant_exists(h)
    assert h.fake.calls[calls_before:] == []


async def test_a_removal_retried_after_the_app_was_added_back_keeps_the_new_data(program: Harness) -> None:
    h = program
    await h.join_everyone({"U1": "Finance", "U2": "Sales"})
    removed_at = int(h.clock.now.timestamp())
    assert (await h.event(UNINSTALLED, "Ev0OLD", event_time=removed_at)).status == 200
    assert not await tenant_exists(h)
    h.clock.advance(hours=1)  # added back, and people start again
    await h.slash(ADMIN, "setup weekly monday 09:00")
    await h.slash("U1", "join Finance")
    response = await h.event(
        UNINSTALLED,
        "Ev0OLD",
        event_time=removed_at,
        **{"X-Slack-Retry-Num": "3", "X-Slack-Retry-Reason": "http_error"},
    )
    assert response.status == 200
    assert await tenant_exists(h)
    assert "You're in" in (await h.slash("U1", "status"))["text"]


async def test_a_user_token_revocation_alone_changes_nothing(program: Harness) -> None:
    h = program
    await h.event({"type": "tokens_revoked", "tokens": {"oauth": ["U0ADMIN"]}, "event_ts": "1.0"})
    assert await tenant_exists(h)


async def test_a_revoked_token_found_while_sending_stops_the_workspace(program: Harness) -> None:
    h = program
    await h.join_everyone({"U1": "Finance", "U2": "Sales", "U3": "Legal", "U4": "Ops"})
    await h.slash(ADMIN, "round now")
    h.fake.revoked.add(h.fake.bot_token)
    report = await h.slack.jembatan.relay.drain()
    assert report.sent == 0 and report.failed >= 1
    tried = len(h.fake.calls)
    h.clock.advance(minutes=30)
    await h.deliver()
    assert len(h.fake.calls) == tried
