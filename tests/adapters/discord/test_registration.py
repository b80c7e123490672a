"""What `jembatan discord sync` registers, compared with tests/golden/discord_commands.json:
every subcommand, option, choice and description people see in Discord's command picker. A
change is a reviewed diff; regenerate with UPDATE_GOLDEN=1 after checking it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from adapters.discord.client import JembatanClient

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "discord_commands.json"


def test_the_registered_commands_match_the_golden_payload() -> None:
    client = JembatanClient()
    payload = [command.to_dict(client.tree) for command in client.tree.get_commands()]
    shown = json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(shown, encoding="utf-8")
    assert shown == GOLDEN.read_text(encoding="utf-8")
