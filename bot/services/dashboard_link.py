"""`/jembatan dashboard`: where the admin dashboard is, told privately to the admin who asks (the
dispatcher has checked the right). The process that serves the dashboard sets its address on the
dependencies; without one, the answer says so, and the console says how to open the demo's."""

from __future__ import annotations

from bot.domain.model import Platform
from bot.messages import Reply
from bot.services.base import CommandContext, Deps


def answer(deps: Deps, ctx: CommandContext) -> Reply:
    if deps.dashboard_url:
        return Reply(ctx.t("open_dashboard.here", url=deps.dashboard_url))
    if ctx.actor.tenant.platform is Platform.CONSOLE:
        return Reply(ctx.t("open_dashboard.console"))
    return Reply(ctx.t("open_dashboard.none"))
