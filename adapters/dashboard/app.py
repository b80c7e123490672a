"""The dashboard's web app (aiohttp): who may see what, and the core's read models as pages.

A translation layer only: every figure comes from `bot.services.dashboard`; this module checks
the session, picks the language, turns values into words, tables and SVG, and sets the headers."""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined

from adapters.dashboard import charts, signin
from adapters.dashboard.security import COOKIE, SESSION_SECONDS, Grant, Sessions, SignInLinks, csrf_ok
from bot import commands as c
from bot.app import (
    CHART_FILE,
    CSV_FILES,
    LANGUAGES,
    Dashboard,
    Network,
    Overview,
    ProgramCard,
    audit_words,
    overview_charts,
    setting_choices,
    settings_command,
)
from bot.domain.model import Lang
from bot.i18n import Texts, texts

# No script runs at all; styles and images only from this origin; no framing, no foreign forms.
CSP = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'; img-src 'self'; style-src 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # A sign-in link never leaks through a Referer header to another site; within this one the
    # browser keeps sending a true Origin with each form (under "no-referrer" Chromium sends
    # "Origin: null", which the forms' check refuses).
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
STATIC = Path(__file__).parent / "static"


@dataclass
class Setup:
    dashboard: Dashboard
    sessions: Sessions
    links: SignInLinks
    names: Mapping[str, str]  # user id → display name (the platform's directory, or the demo's)
    secure_cookie: bool = False  # True behind HTTPS; the demo serves plain HTTP on 127.0.0.1
    slack: signin.SlackSignIn | None = None  # "Sign in with Slack", when the app is configured for it
    discord: signin.DiscordSignIn | None = None  # Discord OAuth2, likewise


SETUP = web.AppKey("setup", Setup)
ENV = web.AppKey("env", Environment)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as error:  # aiohttp's own 404 and 405 pages get the headers too
        for name, value in HEADERS.items():
            error.headers.setdefault(name, value)
        raise
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def create_app(setup: Setup) -> web.Application:
    app = web.Application(middlewares=[security_headers])
    mount(app, setup)
    return app


def mount(app: web.Application, setup: Setup) -> None:
    """The dashboard on `app`: its own, or a platform's web server beside /slack/events. Every
    dashboard page carries the security headers, whichever app serves it."""
    app[SETUP] = setup
    app[ENV] = Environment(
        loader=PackageLoader("adapters.dashboard", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    add_routes(app)


@dataclass
class _Secured:
    """A router whose every handler sets the security headers itself (a platform's app has no
    dashboard middleware)."""

    router: web.UrlDispatcher

    def add_get(self, path: str, handler: Handler) -> None:
        self.router.add_get(path, _secured(handler))

    def add_post(self, path: str, handler: Handler) -> None:
        self.router.add_post(path, _secured(handler))


def _secured(handler: Handler) -> Handler:
    async def with_headers(request: web.Request) -> web.StreamResponse:
        return await security_headers(request, handler)

    return with_headers


def add_routes(app: web.Application) -> None:
    """The dashboard's pages and forms, on `app` (its own, or a platform server's)."""
    router = _Secured(app.router)
    router.add_get("/", index)
    router.add_get("/signin/{token}", sign_in)
    router.add_get("/auth/slack", slack_start)
    router.add_get("/auth/slack/callback", slack_callback)
    router.add_get("/auth/discord", discord_start)
    router.add_get("/auth/discord/callback", discord_callback)
    router.add_post("/signout", sign_out)
    router.add_post("/lang", choose_language)
    base = r"/w/{tenant:\d+}/p/{program:\d+}"
    router.add_get(base, overview)
    router.add_get(base + "/rounds", rounds)
    router.add_get(base + r"/rounds/{round:\d+}", one_round)
    router.add_get(base + "/people", people)
    router.add_post(base + "/people", rename_division)
    router.add_get(base + "/settings", settings)
    router.add_post(base + "/settings", change_settings)
    router.add_post(base + "/download", download)
    app.router.add_static("/static", STATIC)


def _grant(request: web.Request) -> Grant | None:
    return request.app[SETUP].sessions.open(request.cookies.get(COOKIE))


def _texts(grant: Grant | None, fallback: Lang = Lang.EN) -> Texts:
    lang = grant.lang if grant and grant.lang in {lang.value for lang in Lang} else fallback.value
    return texts(lang)


def _page(
    request: web.Request, template: str, t: Texts, grant: Grant | None, status: int = 200, **context: Any
) -> web.Response:
    setup = request.app[SETUP]

    def name(user_id: str | None) -> str:
        if user_id is None:
            return t("dashboard.forgotten")
        if grant and user_id == grant.user_id and grant.name:
            return grant.name
        return setup.names.get(user_id, user_id)

    html = (
        request.app[ENV]
        .get_template(template)
        .render(
            t=t,
            lang=t.lang.value,
            grant=grant,
            me=name(grant.user_id) if grant else "",
            path=request.path_qs,
            name=name,
            pct=lambda share: f"{share:.0%}",
            langs=LANGUAGES,
            signins=_signins(setup),
            **context,
        )
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def _message(
    request: web.Request, t: Texts, grant: Grant | None, status: int, title: str, text: str, refresh: str = ""
) -> web.Response:
    return _page(request, "message.html", t, grant, status, title=t(title), text=t(text), refresh=refresh)


def _signins(setup: Setup) -> list[tuple[str, str]]:
    found = []
    if setup.slack is not None:
        found.append(("/auth/slack", "dashboard.signin_with_slack"))
    if setup.discord is not None:
        found.append(("/auth/discord", "dashboard.signin_with_discord"))
    return found


def _refused(request: web.Request, grant: Grant | None) -> web.Response:
    t = _texts(grant)
    if grant is None:
        return _message(request, t, None, 401, "dashboard.signin_title", "dashboard.signin_needed")
    return _message(request, t, grant, 403, "dashboard.refused_title", "dashboard.refused")


async def index(request: web.Request) -> web.Response:
    grant = _grant(request)
    if grant is None:
        return _refused(request, None)
    dashboard = request.app[SETUP].dashboard
    cards = await dashboard.programs(
        [t for t in sorted(grant.tenant_ids) if await dashboard.still_admin(t, grant.user_id)]
    )
    t = _texts(grant, cards[0].lang if cards else Lang.EN)
    return _page(request, "index.html", t, grant, cards=cards)


async def sign_in(request: web.Request) -> web.Response:
    setup = request.app[SETUP]
    redeemed = setup.links.redeem(request.match_info["token"])
    if redeemed is None:
        return _message(request, texts(Lang.EN), None, 403, "dashboard.signin_title", "dashboard.link_used")
    grant = setup.sessions.new(*redeemed)
    response = _see_other("/")
    _set_cookie(response, setup, grant)
    return response


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _set_cookie(response: web.StreamResponse, setup: Setup, grant: Grant) -> None:
    response.set_cookie(
        COOKIE,
        setup.sessions.seal(grant),
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=setup.secure_cookie,
    )


async def _checked_form(request: web.Request) -> tuple[Grant, Mapping[str, str]] | web.Response:
    """A form post from a signed-in person, from this origin, carrying this session's token."""
    grant = _grant(request)
    if grant is None:
        return _refused(request, None)
    origin = request.headers.get("Origin")
    form = await request.post()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if (origin and origin != f"{request.scheme}://{request.host}") or not csrf_ok(grant, fields.get("csrf")):
        t = _texts(grant)
        return _message(request, t, grant, 403, "dashboard.refused_title", "dashboard.csrf_failed")
    return grant, fields


def _local(target: str | None) -> str:
    # Only a path on this site: never "//elsewhere" or "https://…" (an open redirect).
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


async def choose_language(request: web.Request) -> web.StreamResponse:
    checked = await _checked_form(request)
    if isinstance(checked, web.Response):
        return checked
    grant, fields = checked
    lang = fields.get("lang", "")
    response = _see_other(_local(fields.get("next")))
    if lang in {lang.value for lang in Lang}:
        _set_cookie(response, request.app[SETUP], grant.with_lang(lang))
    return response


async def sign_out(request: web.Request) -> web.StreamResponse:
    checked = await _checked_form(request)
    if isinstance(checked, web.Response):
        return checked
    response = _see_other("/")
    response.del_cookie(COOKIE, path="/")
    return response


async def _scoped(request: web.Request) -> tuple[Grant, int, int] | web.Response:
    grant = _grant(request)
    tenant_id = int(request.match_info["tenant"])
    if (
        grant is None
        or tenant_id not in grant.tenant_ids
        or not await request.app[SETUP].dashboard.still_admin(tenant_id, grant.user_id)
    ):
        return _refused(request, grant)
    return grant, tenant_id, int(request.match_info["program"])


def _not_found(request: web.Request, grant: Grant) -> web.Response:
    return _message(request, _texts(grant), grant, 404, "dashboard.not_found", "dashboard.not_found")


def _program_texts(grant: Grant, card: ProgramCard) -> Texts:
    return _texts(grant, card.lang)


async def _load(
    request: web.Request, load: Callable[[Any, int, int], Awaitable[Any]]
) -> tuple[Grant, Any] | web.Response:
    """The program the URL names, as `load` reads it, for a person allowed to see it; else the
    page that says why not (401, 403 or 404)."""
    scoped = await _scoped(request)
    if isinstance(scoped, web.Response):
        return scoped
    grant, tenant_id, program_id = scoped
    found = await load(request.app[SETUP].dashboard, tenant_id, program_id)
    if found is None:
        return _not_found(request, grant)
    return grant, found


async def overview(request: web.Request) -> web.Response:
    loaded = await _load(request, lambda d, tenant, program: d.overview(tenant, program))
    if isinstance(loaded, web.Response):
        return loaded
    grant, found = loaded
    t = _program_texts(grant, found.program)
    return _page(
        request,
        "overview.html",
        t,
        grant,
        card=found.program,
        view=found,
        charts=_overview_charts(found, t),
        files=[*CSV_FILES, CHART_FILE],
        tab="overview",
    )


def _overview_charts(view: Overview, t: Texts) -> dict[str, Any]:
    """The core's chart data drawn as SVG: each series in its colour, the ceiling as a marker."""
    drawn: dict[str, Any] = {}
    for key, chart in overview_charts(view, t).items():
        if isinstance(chart, Network):
            nodes = [charts.Node(name, size) for name, size in chart.nodes]
            drawn[key] = charts.network(chart.title, nodes, [charts.Link(*link) for link in chart.links])
            continue
        stacked = [charts.Series(name, f"s{i}", values) for i, (name, values) in enumerate(chart.stacked, 1)]
        marker = charts.Series(chart.marker[0], "ceiling", chart.marker[1]) if chart.marker else None
        drawn[key] = charts.bars(chart.title, chart.labels, stacked, percent=chart.percent, marker=marker)
    return drawn


async def rounds(request: web.Request) -> web.Response:
    loaded = await _load(request, lambda d, tenant, program: d.rounds(tenant, program))
    if isinstance(loaded, web.Response):
        return loaded
    grant, found = loaded
    card, lines = found
    t = _program_texts(grant, card)
    # Drawing the next round pairs every member (a second or more for thousands): only on request.
    asked = request.query.get("preview") == "1"
    upcoming = await request.app[SETUP].dashboard.preview(card.tenant_id, card.program_id) if asked else None
    return _page(
        request, "rounds.html", t, grant, card=card, lines=lines, asked=asked, preview=upcoming, tab="rounds"
    )


async def one_round(request: web.Request) -> web.Response:
    loaded = await _load(
        request, lambda d, tenant, program: d.round(tenant, program, int(request.match_info["round"]))
    )
    if isinstance(loaded, web.Response):
        return loaded
    grant, found = loaded
    t = _program_texts(grant, found.program)
    return _page(request, "round.html", t, grant, card=found.program, detail=found, tab="rounds")


async def people(request: web.Request) -> web.Response:
    scoped = await _scoped(request)
    if isinstance(scoped, web.Response):
        return scoped
    return await _people_page(request, scoped[0])


# Admin actions: each form post runs one core command, as chat would. ----------------------------

_MENTION = re.compile(r"<([#@])([^>|]+)(?:\|[^>]*)?>")


def _plain(text: str, name: Callable[[str], str]) -> str:
    """A chat reply as page text: a channel as #id, a person by name, no mrkdwn stars or ticks."""
    text = _MENTION.sub(lambda m: "#" + m.group(2) if m.group(1) == "#" else name(m.group(2)), text)
    return text.replace("*", "").replace("`", "")


async def _scoped_form(
    request: web.Request,
) -> tuple[Grant, int, int, Mapping[str, str], list[str]] | web.Response:
    """A form post about a program of a workspace this person administers, with its CSRF token;
    else the refusal (401, 403). Also every value of a repeated field (`old`)."""
    scoped = await _scoped(request)
    if isinstance(scoped, web.Response):
        return scoped
    checked = await _checked_form(request)
    if isinstance(checked, web.Response):
        return checked
    grant, tenant_id, program_id = scoped
    form = await request.post()
    many = [v for v in form.getall("old", []) if isinstance(v, str)]
    return grant, tenant_id, program_id, checked[1], many


def _name_of(request: web.Request, t: Texts | None = None) -> Callable[[str], str]:
    names = request.app[SETUP].names
    forgotten = (t or texts(Lang.EN))("dashboard.forgotten")
    return lambda user_id: names.get(user_id, user_id) if user_id else forgotten


async def _settings_page(request: web.Request, grant: Grant, notice: str = "") -> web.Response:
    tenant_id, program_id = int(request.match_info["tenant"]), int(request.match_info["program"])
    found = await request.app[SETUP].dashboard.settings(tenant_id, program_id)
    if found is None:
        return _not_found(request, grant)
    t = _program_texts(grant, found.program)
    name = _name_of(request, t)
    return _page(
        request,
        "settings.html",
        t,
        grant,
        card=found.program,
        page=found,
        entries=[(e, audit_words(e, t, name)) for e in found.audit],
        choices=setting_choices(t),
        notice=notice,
        tab="settings",
    )


async def settings(request: web.Request) -> web.Response:
    scoped = await _scoped(request)
    if isinstance(scoped, web.Response):
        return scoped
    return await _settings_page(request, scoped[0])


async def change_settings(request: web.Request) -> web.Response:
    checked = await _scoped_form(request)
    if isinstance(checked, web.Response):
        return checked
    grant, tenant_id, program_id, fields, _ = checked
    command = settings_command(fields)
    reply = await request.app[SETUP].dashboard.act(tenant_id, program_id, grant.user_id, command)
    if reply is None:
        return _not_found(request, grant)
    return await _settings_page(request, grant, _plain(reply.text, _name_of(request)))


async def _people_page(request: web.Request, grant: Grant, notice: str = "") -> web.Response:
    tenant_id, program_id = int(request.match_info["tenant"]), int(request.match_info["program"])
    dashboard = request.app[SETUP].dashboard
    found = await dashboard.people(tenant_id, program_id)
    if found is None:
        return _not_found(request, grant)
    t = _program_texts(grant, found.program)
    divisions = await dashboard.divisions(tenant_id, program_id)
    return _page(
        request,
        "people.html",
        t,
        grant,
        card=found.program,
        page=found,
        divisions=divisions,
        notice=notice,
        tab="people",
    )


async def rename_division(request: web.Request) -> web.Response:
    checked = await _scoped_form(request)
    if isinstance(checked, web.Response):
        return checked
    grant, tenant_id, program_id, fields, old = checked
    command = c.RenameDivision(tuple(old), fields.get("new", ""))
    reply = await request.app[SETUP].dashboard.act(tenant_id, program_id, grant.user_id, command)
    if reply is None:
        return _not_found(request, grant)
    return await _people_page(request, grant, _plain(reply.text, _name_of(request)))


async def download(request: web.Request) -> web.StreamResponse:
    checked = await _scoped_form(request)
    if isinstance(checked, web.Response):
        return checked
    grant, tenant_id, program_id, fields, _ = checked
    found = await request.app[SETUP].dashboard.download(
        tenant_id, program_id, grant.user_id, fields.get("file", "")
    )
    if found is None:
        return _not_found(request, grant)
    return web.Response(
        body=found.content,
        content_type=found.mime_type,
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


# Signing in through Slack or Discord. ------------------------------------------------------------


def _to_platform(request: web.Request, url: str, state: str) -> web.Response:
    response = web.Response(status=302, headers={"Location": url})
    response.set_cookie(
        signin.STATE_COOKIE,
        request.app[SETUP].sessions.stamp(state),
        max_age=600,
        path="/auth",
        httponly=True,
        samesite="Lax",  # the platform's redirect back is a cross-site navigation: Strict would drop it
        secure=request.app[SETUP].secure_cookie,
    )
    return response


async def slack_start(request: web.Request) -> web.Response:
    config = request.app[SETUP].slack
    if config is None:
        raise web.HTTPNotFound()
    state = signin.new_state()
    return _to_platform(request, signin.slack_authorize(config, state), state)


async def discord_start(request: web.Request) -> web.Response:
    config = request.app[SETUP].discord
    if config is None:
        raise web.HTTPNotFound()
    state = signin.new_state()
    return _to_platform(request, signin.discord_authorize(config, state), state)


def _returned_code(request: web.Request) -> str | None:
    """The authorization code, if this callback answers a sign-in this browser started."""
    expected = request.app[SETUP].sessions.unstamp(request.cookies.get(signin.STATE_COOKIE))
    state, code = request.query.get("state", ""), request.query.get("code", "")
    if not expected or not code or not secrets.compare_digest(expected.encode(), state.encode()):
        return None
    return code


async def _signed_in(request: web.Request, identity: signin.Identity | None) -> web.Response:
    setup = request.app[SETUP]
    t = texts(Lang.EN)
    if identity is None:
        return _message(request, t, None, 403, "dashboard.signin_title", "dashboard.signin_failed")
    tenant_ids = await setup.dashboard.admin_of(
        identity.platform, identity.user_id, identity.admin_in, identity.member_of
    )
    grant = setup.sessions.new(identity.user_id, tenant_ids, name=identity.name)
    # A page that moves on by itself rather than a redirect: the session cookie is SameSite=Strict,
    # and a redirect chain that began on the platform's site would not send it to "/" yet.
    response = _message(request, t, grant, 200, "dashboard.signed_in_title", "dashboard.signed_in_title", "/")
    _set_cookie(response, setup, grant)
    response.del_cookie(signin.STATE_COOKIE, path="/auth")
    return response


async def slack_callback(request: web.Request) -> web.Response:
    config = request.app[SETUP].slack
    if config is None:
        raise web.HTTPNotFound()
    code = _returned_code(request)
    return await _signed_in(request, await signin.slack_identity(config, code) if code else None)


async def discord_callback(request: web.Request) -> web.Response:
    config = request.app[SETUP].discord
    if config is None:
        raise web.HTTPNotFound()
    code = _returned_code(request)
    return await _signed_in(request, await signin.discord_identity(config, code) if code else None)
