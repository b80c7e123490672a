"""The app manifest asks for exactly what the adapter uses, and nothing more."""

from __future__ import annotations

from pathlib import Path

MANIFEST = Path(__file__).resolve().parents[3] / "deploy" / "slack" / "manifest.yml"


def items_under(key: str) -> list[str]:
    """The `- item` lines of a YAML block list, read without a YAML library (none is a dependency)."""
    lines = [
        line for line in MANIFEST.read_text(encoding="utf-8").splitlines() if not line.strip().startswith("#")
    ]
    start = next(i for i, line in enumerate(lines) if line.strip() == f"{key}:")
    indent = len(lines[start]) - len(lines[start].lstrip())
    found = []
    for line in lines[start + 1 :]:
        if len(line) - len(line.lstrip()) <= indent and not line.lstrip().startswith("- "):
            break
        if line.lstrip().startswith("- "):
            found.append(line.strip()[2:])
    return found


def test_the_bot_scopes_are_exactly_what_the_adapter_calls_need() -> None:
    from adapters.slack.installations import SCOPES

    assert items_under("bot") == list(SCOPES)
    assert sorted(SCOPES) == sorted(
        ["commands", "chat:write", "im:write", "mpim:write", "users:read", "files:write"]
    )


def test_the_events_command_home_tab_interactivity_and_socket_mode() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    assert items_under("bot_events") == ["app_home_opened", "app_uninstalled", "tokens_revoked"]
    for line in (
        "- command: /jembatan",
        "should_escape: true",
        "home_tab_enabled: true",
        "socket_mode_enabled: true",
        "is_enabled: true",
    ):
        assert line in text
    assert all(line.strip() != "user:" for line in text.splitlines())  # no user scopes


def test_http_mode_is_told_where_the_division_select_asks_for_its_options() -> None:
    # Without it, Slack has nowhere to ask in HTTP mode and the division select stays empty.
    http_lines = [
        line.strip() for line in MANIFEST.read_text(encoding="utf-8").splitlines() if "# HTTP:" in line
    ]
    assert "# HTTP: message_menu_options_url: https://jembatan.example.com/slack/events" in http_lines


def manifest_schema_errors(manifest: object) -> list[str]:
    """Slack's published manifest schema (shared/specs/, JSON Schema draft-07)."""
    from jsonschema import Draft7Validator

    from tests.specs import load

    validator = Draft7Validator(
        load("manifest.schema.1.0.0.json"), format_checker=Draft7Validator.FORMAT_CHECKER
    )
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest)]


def test_the_manifest_follows_slacks_manifest_schema() -> None:
    import yaml

    assert manifest_schema_errors(yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))) == []


def test_the_manifest_for_http_mode_follows_slacks_manifest_schema_too() -> None:
    # The `# HTTP:` lines, uncommented where they stand, are what an HTTP-mode operator pastes.
    import yaml

    text = MANIFEST.read_text(encoding="utf-8").replace("# HTTP: ", "")
    text = text.replace("socket_mode_enabled: true", "socket_mode_enabled: false")
    manifest = yaml.safe_load(text)
    assert manifest["settings"]["interactivity"]["message_menu_options_url"].startswith("https://")
    assert manifest_schema_errors(manifest) == []


def test_the_schema_check_catches_a_broken_manifest() -> None:
    import yaml

    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    del manifest["display_information"]["name"]
    manifest["features"]["bot_user"]["display_name"] = "x" * 81
    manifest["settings"]["colour"] = "blue"
    assert manifest_schema_errors(manifest) == [
        "display_information: 'name' is a required property",
        "features.bot_user.display_name: '" + "x" * 81 + "' is too long",
        "settings: Additional properties are not allowed ('colour' was unexpected)",
    ]
