"""The App Home tab and the profile modal."""

from __future__ import annotations

import json
from typing import Any

from tests.adapters.slack.conftest import ADMIN, Harness


def home_click(h: Harness, user: str, action: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user, "team_id": h.team},
        "api_app_id": "A0JEMBATAN",
        "team": {"id": h.team},
        "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": h.next_id("trig-"),
        "view": {"id": "V0HOME", "type": "home", "blocks": []},
        "actions": [action | {"block_id": "jb-home", "action_ts": "1.0"}],
    }


def submission(h: Harness, user: str, metadata: str, **fields: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "division" in fields:
        values["division"] = {
            "jb:division": {
                "type": "external_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": fields["division"]},
                    "value": fields["division"],
                },
            }
        }
    for name in ("timezone", "interests"):
        values[name] = {"value": {"type": "plain_text_input", "value": fields.get(name)}}
    return {
        "type": "view_submission",
        "team": {"id": h.team},
        "user": {"id": user, "team_id": h.team},
        "api_app_id": "A0JEMBATAN",
        "trigger_id": h.next_id("trig-"),
        "view": {
            "id": "V0MODAL",
            "type": "modal",
            "callback_id": "jb:profile",
            "private_metadata": metadata,
            "state": {"values": values},
            "hash": "1.abc",
        },
    }


def published(h: Harness, user: str) -> str:
    calls = [c for c in h.fake.called("views.publish") if c.args["user_id"] == user]
    assert calls, "nothing published"
    assert calls[-1].args["view"]["type"] == "home"
    return json.dumps(calls[-1].args["view"], ensure_ascii=False)


async def test_opening_home_shows_status_next_round_people_met_and_the_controls(program: Harness) -> None:
    h = program
    h.fake.add_user("U1")
    await h.slash("U1", "join Finance")
    await h.event(
        {"type": "app_home_opened", "user": "U1", "channel": "D0U1", "tab": "home", "event_ts": "1.0"}
    )
    view = published(h, "U1")
    assert "You're in" in view and "Next round" in view and "met 0 colleagues" in view
    for action in ("jb:home:join", "jb:home:pause", "jb:home:resume", "jb:home:leave", "jb:division"):
        assert action in view
    # The Messages tab opening publishes nothing.
    await h.event(
        {"type": "app_home_opened", "user": "U1", "channel": "D0U1", "tab": "messages", "event_ts": "2"}
    )
    assert len(h.fake.called("views.publish")) == 1


async def test_home_buttons_act_and_show_the_answer(program: Harness) -> None:
    h = program
    h.fake.add_user("U2")
    await h.interaction(home_click(h, "U2", {"action_id": "jb:home:join", "type": "button"}))
    assert "Welcome to Jembatan" in published(h, "U2")
    await h.interaction(home_click(h, "U2", {"action_id": "jb:home:pause", "type": "button"}))
    assert "Paused" in published(h, "U2") and "paused until you resume" in published(h, "U2")
    await h.interaction(home_click(h, "U2", {"action_id": "jb:home:resume", "type": "button"}))
    assert "Welcome back" in published(h, "U2")
    selected = {
        "action_id": "jb:division",
        "type": "external_select",
        "selected_option": {"text": {"type": "plain_text", "text": "Legal"}, "value": "Legal"},
    }
    await h.interaction(home_click(h, "U2", selected))
    assert "your division is Legal" in published(h, "U2")
    await h.interaction(home_click(h, "U2", {"action_id": "jb:home:leave", "type": "button"}))
    assert "You've left Jembatan" in published(h, "U2")


async def offered(h: Harness, typed: str, team: str | None = None) -> list[str]:
    """What the division select shows while someone types `typed`."""
    return [option["text"]["text"] for option in await options(h, typed, team)]


async def options(h: Harness, typed: str, team: str | None = None) -> list[dict[str, Any]]:
    """The division select's options, as Slack receives them, while someone types `typed`."""
    payload = {
        "type": "block_suggestion",
        "user": {"id": "U1", "team_id": team or h.team},
        "team": {"id": team or h.team},
        "api_app_id": "A0JEMBATAN",
        "action_id": "jb:division",
        "block_id": "division",
        "value": typed,
        "view": {"id": "V1", "type": "modal"},
    }
    response = await h.interaction(payload)
    assert response.status == 200
    return list((await response.json())["options"])


async def test_the_division_select_offers_what_is_typed(harness: Harness) -> None:
    assert await offered(harness, "  Customer   Success ") == ["Customer Success"]


async def test_the_division_select_offers_the_divisions_people_joined_with(program: Harness) -> None:
    h = program
    await h.join_everyone({"U1": "Finance", "U2": "Sales", "U3": "Finance", "U4": "Legal"})
    await h.slash("U4", "leave")  # nobody in Legal takes part any more
    # Another workspace's divisions are its own.
    assert "set up" in (await h.slash(ADMIN, "setup weekly", team="T0OTHER"))["text"]
    await h.slash("U7", "join Marketing", team="T0OTHER")
    assert await offered(h, "") == ["Finance", "Sales"]
    assert await offered(h, "AL") == ["AL", "Sales"]  # a new division first, then the known ones that match
    assert await offered(h, "finance") == ["Finance"]  # a known one in other case is not offered twice
    assert await offered(h, "", team="T0OTHER") == ["Marketing"]


async def test_the_profile_modal_opens_and_saves_every_field(program: Harness) -> None:
    h = program
    h.fake.add_user("U1")
    await h.slash("U1", "join")
    assert await h.slash("U1", "profile") == {}  # the answer is the modal, not a message
    [opened] = h.fake.called("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "jb:profile" and opened.args["trigger_id"].startswith("trig-")
    assert [b.get("block_id") for b in view["blocks"] if b["type"] == "input"] == [
        "division",
        "timezone",
        "interests",
    ]
    response_url = view["private_metadata"]
    assert response_url.startswith(h.fake.base_url)
    done = await h.interaction(
        submission(h, "U1", response_url, division="Finance", timezone="asia/jakarta", interests="jazz, tea")
    )
    assert done.status == 200
    assert h.fake.responses[-1]["text"] == "Profile saved."
    status = (await h.slash("U1", "status"))["text"]
    assert "Finance · Asia/Jakarta · interests: jazz, tea" in status


async def test_a_bad_field_keeps_the_modal_open_with_the_fix_and_changes_nothing(program: Harness) -> None:
    h = program
    h.fake.add_user("U1")
    await h.slash("U1", "join Sales")
    payload = submission(h, "U1", "home", division="Finance", timezone="Mars/Olympus", interests="")
    response = await h.interaction(payload)
    answer = await response.json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["timezone"] and "Asia/Jakarta" in answer["errors"]["timezone"]
    status = (await h.slash("U1", "status"))["text"]
    assert "Sales" in status and "Finance" not in status
    assert not h.fake.called("views.publish")


async def test_a_profile_saved_from_home_refreshes_home(program: Harness) -> None:
    h = program
    h.fake.add_user("U1")
    await h.interaction(home_click(h, "U1", {"action_id": "jb:home:profile", "type": "button"}))
    [opened] = h.fake.called("views.open")
    assert opened.args["view"]["private_metadata"] == "home"
    await h.interaction(submission(h, "U1", "home", timezone="Europe/Berlin"))
    assert "Profile saved." in published(h, "U1")


async def test_a_division_typed_as_a_link_reaches_the_partner_as_plain_words(program: Harness) -> None:
    # The modal's values arrive unescaped: this was a clickable link in the bot's own intro.
    h = program
    for user in ("U1", "U2"):
        h.fake.add_user(user)
        await h.slash(user, "join")
    deceptive = "<https://evil.example/sso|People Team (click to verify)>"
    await h.interaction(
        submission(h, "U1", "home", division=deceptive, interests="<!channel>, [x](https://e.x)")
    )
    await h.slash("U2", "division R&amp;D")  # how Slack sends "R&D" typed in a slash command
    await h.slash(ADMIN, "round now")
    await h.deliver()
    [intro] = [m for m in h.fake.messages.values() if "People Team" in json.dumps(m.blocks)]
    shown = json.dumps(intro.blocks, ensure_ascii=False)
    assert "People Team (click to verify)" in shown
    assert "evil.example" not in shown and "<!" not in shown and "](" not in shown
    assert "R&D" in shown and "&amp;" not in shown  # one spelling, whichever way it was typed
    # Offered back by the division picker, the stored name is accepted as it is.
    assert "People Team (click to verify)" in await offered(h, "people")


# 64 letters, as the core allows, but 186 code points: most carry two combining marks.
LONG_DIVISION = "Div" + "x\u0323\u0301" * 61


def slack_length(text: str) -> int:
    return max(len(text), len(text.encode("utf-16-le")) // 2)  # code points or UTF-16 units


def picked(option: dict[str, Any]) -> dict[str, Any]:
    return {"action_id": "jb:division", "type": "external_select", "selected_option": option}


async def test_a_long_division_is_offered_within_slacks_limits_and_can_be_picked(program: Harness) -> None:
    h = program
    assert len(LONG_DIVISION) == 186
    await h.join_everyone({"U1": LONG_DIVISION, "U2": "Sales"})
    offers = await options(h, "")
    assert len(offers) == 2
    for option in offers:  # Block Kit: an option's text ≤ 75, its value ≤ 150
        assert slack_length(option["value"]) <= 150 and slack_length(option["text"]["text"]) <= 75
    long_one = next(o for o in offers if o["text"]["text"].startswith("Div"))
    h.fake.add_user("U3")
    await h.slash("U3", "join Sales")
    await h.interaction(home_click(h, "U3", picked(long_one)))
    assert f"your division is {LONG_DIVISION}" in published(h, "U3")
    # The profile modal's select carries the same option back.
    h.fake.add_user("U4")
    await h.slash("U4", "join Sales")
    values = {"division": {"jb:division": {"type": "external_select", "selected_option": long_one}}}
    payload = submission(h, "U4", "home")
    payload["view"]["state"]["values"] |= values
    assert (await h.interaction(payload)).status == 200
    assert LONG_DIVISION in (await h.slash("U4", "status"))["text"]


async def test_a_typed_new_division_is_offered_and_picked_as_typed(program: Harness) -> None:
    h = program
    h.fake.add_user("U1")
    await h.slash("U1", "join Sales")
    typed = (await options(h, "  Customer   Success "))[0]
    assert typed["text"]["text"] == "Customer Success"
    await h.interaction(home_click(h, "U1", picked(typed)))
    assert "your division is Customer Success" in published(h, "U1")


async def test_a_division_gone_since_the_select_was_filled_is_not_guessed(program: Harness) -> None:
    h = program
    await h.join_everyone({"U1": "Research", "U2": "Sales"})
    [research] = await options(h, "research")
    await h.slash("U1", "division Sales")  # nobody is in Research any more
    await h.interaction(home_click(h, "U2", picked(research)))
    assert "could not be read back" in published(h, "U2")
    assert "Research" not in (await h.slash("U2", "status"))["text"]
    payload = submission(h, "U2", "home")
    payload["view"]["state"]["values"]["division"] = {
        "jb:division": {"type": "external_select", "selected_option": research}
    }
    answer = await (await h.interaction(payload)).json()
    assert answer["response_action"] == "errors" and "could not be read back" in answer["errors"]["division"]
