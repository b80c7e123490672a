"""The dashboard's web app (aiohttp): who may see what, and the core's read models as pages.

A translation layer only: every figure comes from `bot.services.dashboard`; this module checks
the session, picks the language, turns values into words, tables and SVG, and sets the headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined

from adapters.dashboard import charts
from adapters.dashboard.security import COOKIE, SESSION_SECONDS, Grant, Sessions, SignInLinks, csrf_ok
from bot.app import Dashboard, Overview, ProgramCard
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
    "Referrer-Policy": "no-referrer",  # a sign-in link never leaks through a Referer header
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
    app[SETUP] = setup
    app[ENV] = Environment(
        loader=PackageLoader("adapters.dashboard", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app.router.add_get("/", index)
    app.router.add_get("/signin/{token}", sign_in)
    app.router.add_post("/signout", sign_out)
    app.router.add_post("/lang", choose_language)
    base = r"/w/{tenant:\d+}/p/{program:\d+}"
    app.router.add_get(base, overview)
    app.router.add_get(base + "/rounds", rounds)
    app.router.add_get(base + r"/rounds/{round:\d+}", one_round)
    app.router.add_get(base + "/people", people)
    app.router.add_static("/static", STATIC)
    return app


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
        return t("dashboard.forgotten") if user_id is None else setup.names.get(user_id, user_id)

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
            langs=[(Lang.EN.value, "English"), (Lang.ID.value, "Bahasa Indonesia")],
            **context,
        )
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def _message(
    request: web.Request, t: Texts, grant: Grant | None, status: int, title: str, text: str
) -> web.Response:
    return _page(request, "message.html", t, grant, status, title=t(title), text=t(text))


def _refused(request: web.Request, grant: Grant | None) -> web.Response:
    t = _texts(grant)
    if grant is None:
        return _message(request, t, None, 401, "dashboard.signin_title", "dashboard.signin_needed")
    return _message(request, t, grant, 403, "dashboard.refused_title", "dashboard.refused")


async def index(request: web.Request) -> web.Response:
    grant = _grant(request)
    if grant is None:
        return _refused(request, None)
    cards = await request.app[SETUP].dashboard.programs(sorted(grant.tenant_ids))
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
    if grant is None or tenant_id not in grant.tenant_ids:
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
        tab="overview",
    )


def _overview_charts(view: Overview, t: Texts) -> dict[str, Any]:
    labels = [t.day(line.day) for line in view.rounds]
    part = view.participation
    no_division = t("stats.no_division")
    histogram = tuple(map(float, view.cross_colleagues_histogram))
    return {
        "participation": charts.bars(
            t("dashboard.chart_participation"),
            labels,
            [
                charts.Series(t("dashboard.series_in_round"), "s1", tuple(p.in_round for p in part)),
                charts.Series(t("dashboard.series_not_in_round"), "s2", tuple(p.not_in_round for p in part)),
                charts.Series(t("dashboard.series_left"), "s3", tuple(p.left for p in part)),
            ],
        ),
        "meetups": charts.bars(
            t("dashboard.chart_meetups"),
            labels,
            [charts.Series(t("stats.meetup_rate"), "s1", tuple(r.meetup_rate for r in view.rounds))],
            percent=True,
        ),
        "reach": charts.bars(
            t("dashboard.chart_reach"),
            labels,
            [charts.Series(t("dashboard.series_cross"), "s1", tuple(r.cross_share for r in view.rounds))],
            percent=True,
            marker=charts.Series(
                t("dashboard.series_ceiling"), "ceiling", tuple(r.ceiling_share for r in view.rounds)
            ),
        ),
        "colleagues": charts.bars(
            t("dashboard.chart_colleagues"),
            [str(i) if i < 5 else "5+" for i in range(len(view.cross_colleagues_histogram))],
            [charts.Series(t("dashboard.col_members"), "s1", histogram)],
        ),
        "network": charts.network(
            t("dashboard.chart_network"),
            [charts.Node(n.name or no_division, n.members) for n in view.nodes],
            [charts.Link(k.first or no_division, k.second or no_division, k.meetups) for k in view.links],
        ),
    }


async def rounds(request: web.Request) -> web.Response:
    loaded = await _load(request, lambda d, tenant, program: d.rounds(tenant, program))
    if isinstance(loaded, web.Response):
        return loaded
    grant, found = loaded
    card, lines = found
    t = _program_texts(grant, card)
    return _page(request, "rounds.html", t, grant, card=card, lines=lines, tab="rounds")


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
    loaded = await _load(request, lambda d, tenant, program: d.people(tenant, program))
    if isinstance(loaded, web.Response):
        return loaded
    grant, found = loaded
    t = _program_texts(grant, found.program)
    return _page(request, "people.html", t, grant, card=found.program, page=found, tab="people")
