"""Workspaces that removed the app while Jembatan was not running.

Slack tells a removal with `app_uninstalled` / `tokens_revoked`; an event sent while the app
was down is retried for a while and then dropped, and the workspace's data would stay for good.
So at start, with OAuth installs, each stored token is tried once (`auth.test`): one Slack calls
revoked (or whose workspace is deleted) belongs to a workspace that removed the app, and it is
erased as the event would have erased it. Anything else erases nothing, and the next start asks
again: Slack unreachable, a 5xx, rate limits past the retries, and `invalid_auth`, which Slack
also answers when a request comes from outside the app's IP allowlist (a redeploy from a new
address must not wipe every workspace).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError

from adapters.slack.clients import TokenUnreadable
from adapters.slack.wiring import Slack
from bot.app import workspaces_on
from bot.domain.model import Platform, TenantRef

log = logging.getLogger(__name__)

# What auth.test answers only for a token of an app that is no longer in the workspace.
REMOVED = frozenset({"token_revoked", "account_inactive"})


async def erase_removed(slack: Slack, now: datetime) -> list[TenantRef]:
    """Erase the data and installation of every workspace whose token Slack no longer accepts.

    `now` is when the check began: an install made after it is newer news and is kept (with a
    second to spare, since installs and workspaces are compared to the second)."""
    since = now.replace(microsecond=0) - timedelta(seconds=1)
    if slack.installations is None:
        return []  # one SLACK_BOT_TOKEN: the start itself fails when Slack refuses it
    candidates = set(await workspaces_on(slack.jembatan.deps, Platform.SLACK))
    candidates |= set(await slack.installations.workspaces())
    erased: list[TenantRef] = []
    for tenant in sorted(candidates, key=lambda t: t.external_id):
        try:
            client = await slack.workspaces.client(tenant)
        except TokenUnreadable:
            continue  # our key is wrong, not their install: the start-up check says so
        if client is None:
            continue  # no token to ask with (say, data from before OAuth was turned on)
        try:
            await client.auth_test()
            continue
        except SlackApiError as error:
            code = str(error.response.get("error"))
            if code not in REMOVED:
                log.warning("could not check workspace %s (%s); keeping it", tenant.external_id, code)
                continue
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            log.warning("Slack unreachable (%s); removals are checked again next start", type(error).__name__)
            break
        await slack.jembatan.uninstall(tenant, happened_at=since)  # its data and install, at once
        log.info("erased workspace %s: the app was removed while Jembatan was offline", tenant.external_id)
        erased.append(tenant)
    return erased
