"""`jembatan pair` on good and bad files: JSON out, or exit 2 with one line naming the problem."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.pair_cli import main

GOOD: dict[str, Any] = {
    "members": [
        {"id": "U1", "division": "Sales", "timezone": "Asia/Jakarta", "interests": ["climbing"]},
        {"id": "U2", "division": "Eng", "timezone": "Asia/Singapore", "interests": ["climbing", "chess"]},
        {"id": "U3", "division": "Eng", "timezone": "Europe/London"},
        {"id": "U4", "division": "Ops", "timezone": "Europe/Berlin"},
        {"id": "U5", "division": "Ops"},
    ],
    "history": [{"date": "2026-11-02", "groups": [["U1", "U3"], {"members": ["U2", "U4"], "met": False}]}],
    "blocked": [["U1", "U5"]],
    "group_size": 2,
    "date": "2026-11-09",
}


def _write(tmp_path: Path, document: object, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def test_a_good_file_gives_groups_reasons_and_metrics(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert main([str(_write(tmp_path, GOOD)), "--out", str(out), "--seed", "3"]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    placed = sorted(m for g in result["groups"] for m in g)
    assert placed == ["U1", "U2", "U3", "U4", "U5"]
    assert result["unpaired"] == []
    assert ["U1", "U5"] not in result["groups"]
    assert len(result["reasons"]) == len(result["groups"])
    assert set(result["metrics"]) >= {"cross_division", "repeats", "ceiling", "seconds"}
    assert result["metrics"]["repeats"] == 0
    assert result["settings"] == {
        "seed": 3,
        "group_size": 2,
        "cross_division": "prefer",
        "date": "2026-11-09",
    }


def test_writing_a_file_says_what_was_done_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.json"
    assert main([str(_write(tmp_path, GOOD)), "--out", str(out)]) == 0
    said = capsys.readouterr()
    assert said.out == ""
    result = json.loads(out.read_text(encoding="utf-8"))
    metrics = result["metrics"]
    lines = said.err.splitlines()
    assert lines[0] == "jembatan pair: pairing 5 members, 1 round(s) of history…"
    assert lines[1].startswith(
        f"jembatan pair: {len(result['groups'])} groups; {metrics['cross_division']} of "
        f"{metrics['ceiling']} possible cross-division pairs, {metrics['repeats']} repeats, in "
    )
    assert lines[1].endswith(f"; wrote {out}")


def test_a_big_roster_to_stdout_shows_progress_and_keeps_stdout_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    members = [{"id": f"U{i}", "division": f"D{i % 7}"} for i in range(6000)]
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"members": members})))
    assert main(["-"]) == 0
    said = capsys.readouterr()
    assert len(json.loads(said.out)["groups"]) == 3000
    assert said.err == "jembatan pair: pairing 6,000 members, 0 round(s) of history…\n"


def test_a_small_roster_to_stdout_says_nothing_else(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(GOOD)))
    assert main(["-"]) == 0
    assert capsys.readouterr().err == ""


def test_the_same_seed_gives_the_same_file(tmp_path: Path) -> None:
    source = _write(tmp_path, GOOD)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert main([str(source), "--out", str(first), "--seed", "9"]) == 0
    assert main([str(source), "--out", str(second), "--seed", "9"]) == 0
    a, b = json.loads(first.read_text()), json.loads(second.read_text())
    a["metrics"].pop("seconds"), b["metrics"].pop("seconds")
    assert a == b


def test_flags_override_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(_write(tmp_path, GOOD)), "--group-size", "3", "--cross-division", "require"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert sorted(len(g) for g in result["groups"]) == [2, 3]
    assert result["settings"]["cross_division"] == "require"


def test_stdin_and_stdout_are_dashes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(GOOD)))
    assert main(["-", "--out", "-"]) == 0
    assert len(json.loads(capsys.readouterr().out)["groups"]) == 2


def _bad(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json.dumps(GOOD))
    document.update(changes)
    return document


BAD = [
    ("not json", "{members: [", "not JSON"),
    ("not an object", "[1, 2]", "JSON object"),
    ("no members", {"history": []}, "members"),
    (
        "duplicate ids",
        _bad(members=[*GOOD["members"], {"id": "U2", "division": "HR"}]),
        "duplicate member id 'U2'",
    ),
    ("member without a division", _bad(members=[*GOOD["members"], {"id": "U6"}]), "'U6' has no division"),
    (
        "blank division",
        _bad(members=[*GOOD["members"], {"id": "U6", "division": " "}]),
        "'U6' has no division",
    ),
    (
        "unknown id in history",
        _bad(history=[{"date": "2026-11-02", "groups": [["U1", "U99"]]}]),
        "unknown member id 'U99'",
    ),
    (
        "unknown id in a round with a trio",
        _bad(history=[{"date": "2026-11-02", "groups": [["U1", "U2", "U3"], ["U4", "U98"]]}]),
        "unknown member id 'U98'",
    ),
    (
        "a number in a past pair",
        _bad(history=[{"date": "2026-11-02", "groups": [["U1", 7]]}]),
        "each group must be a list of strings",
    ),
    (
        "a list in a past pair",
        _bad(history=[{"date": "2026-11-02", "groups": [["U1", ["U2"]]]}]),
        "each group must be a list of strings",
    ),
    (
        "history before the members",
        {"history": [{"date": "2026-11-02", "groups": [["U1", "U77"]]}], "members": GOOD["members"]},
        "unknown member id 'U77'",
    ),
    (
        "unknown time zone",
        _bad(members=[{"id": "U6", "division": "HR", "timezone": "Mars/Olympus"}]),
        "unknown time zone 'Mars/Olympus'",
    ),
    ("bad history date", _bad(history=[{"date": "last week", "groups": []}]), "date"),
    ("unknown id in blocks", _bad(blocked=[["U1", "U42"]]), "unknown member id 'U42'"),
    ("group size too big", _bad(group_size=5), "group size"),
    ("group size too small", _bad(group_size=1), "group size"),
    ("unknown mode", _bad(cross_division="sometimes"), "cross_division"),
    ("a number for an id", _bad(members=[{"id": 1, "division": "HR"}]), "id must be a string"),
    (
        "a history group of one",
        _bad(history=[{"date": "2026-11-02", "groups": [["U1"]]}]),
        "two or more different members, not ['U1']",
    ),
    ("a lone surrogate in an id", _bad(members=[{"id": "U\ud800", "division": "HR"}]), "lone surrogate"),
    (
        "a lone surrogate in a division",
        _bad(members=[{"id": "U6", "division": "H\udfffR"}]),
        "lone surrogate",
    ),
    (
        "a lone surrogate in a past round",
        _bad(history=[{"date": "2026-11-02", "groups": [["U1", "U\udc00"]]}]),
        "lone surrogate",
    ),
    (
        "a lone low surrogate after a backslash and text like a high one",
        _bad(members=[{"id": "U\\ud83d\udc00", "division": "HR"}]),
        "lone surrogate",
    ),
    (
        "a high surrogate before a pair",
        _bad(members=[{"id": "U\ud800\U0001f600", "division": "HR"}]),
        "lone surrogate",
    ),
    (
        "a history group naming someone twice",
        _bad(history=[{"date": "2026-11-02", "groups": [["U1", "U1"]]}]),
        "two or more different members, not ['U1', 'U1']",
    ),
]


@pytest.mark.parametrize(("document", "says"), [(d, s) for _, d, s in BAD], ids=[name for name, _, _ in BAD])
def test_bad_input_exits_2_with_one_line_naming_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: object, says: str
) -> None:
    assert main([str(_write(tmp_path, document)), "--out", str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    "argv", [["--group-size", "7"], ["--group-size", "two"], ["--cross-division", "maybe"], ["--seed", "x"]]
)
def test_bad_flags_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main([str(_write(tmp_path, GOOD)), *argv]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_missing_file_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read" in err


def test_the_module_runs_as_a_program(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    done = subprocess.run(
        [sys.executable, "-m", "bot.pair_cli", str(_write(tmp_path, GOOD)), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(out.read_text())["groups"]) == 2
    bad = subprocess.run(
        [sys.executable, "-m", "bot.pair_cli", str(_write(tmp_path, "nope", "bad.json"))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def _examples() -> list[str]:
    """The input examples people copy: the README's and the one in `jembatan pair --help`."""
    import re

    from bot import pair_cli

    root = Path(__file__).resolve().parents[3]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("jembatan pair roster.json") :]
    found = [re.search(r"```json\n(.*?)```", section, re.S).group(1)]  # type: ignore[union-attr]
    doc = pair_cli.__doc__ or ""
    found.append(doc[doc.index("{") : doc.index("Only")])
    return found


@pytest.mark.parametrize("example", _examples(), ids=["readme", "help"])
def test_the_documented_examples_run(example: str, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert main([str(_write(tmp_path, example)), "--out", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(m for g in result["groups"] for m in g) == ["U1", "U2", "U3", "U4"]
    assert ["U1", "U4"] not in result["groups"] and ["U1", "U2"] not in result["groups"]  # blocked; met


def test_ids_with_any_characters_come_back_as_given_and_their_history_counts(tmp_path: Path) -> None:
    ids = ["é1", "a\u0000b", 'x"y', "z\\w", "日本", "tab\tid"]
    document = {
        "members": [
            {"id": u, "division": "AB"[i % 2], "interests": ["ß", "chess"]} for i, u in enumerate(ids)
        ],
        "history": [{"date": "2026-11-02", "groups": [[ids[0], ids[1]], [ids[2], ids[3]], [ids[4], ids[5]]]}],
        "date": "2026-11-09",
    }
    out = tmp_path / "out.json"
    assert main([str(_write(tmp_path, document)), "--out", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(u for g in result["groups"] for u in g) == sorted(ids)
    assert result["metrics"]["repeats"] == 0
    assert not {frozenset(g) for g in result["groups"]} & {frozenset(ids[i : i + 2]) for i in (0, 2, 4)}


def test_the_output_has_one_item_a_line_as_the_json_encoder_writes_it() -> None:
    from bot.pair_cli import dumps

    document = {
        "groups": [['x"y', "z\\w", "é", "a\u0000b", "tab\tid"], ("U1", "U2"), []],  # the engine's tuples too
        "unpaired": ["U9"],
        "reasons": [["cross_division"], [], ["first_meeting", "shared_interest"]],
        "relaxed": [{"rule": "no_repeat", "members": ["U1", "U2"]}],
        "mixed": [["U1"], "U2", 3],
        "metrics": {"pairs": 1},
    }
    encode = json.JSONEncoder(ensure_ascii=False).encode
    want = [
        f" {encode(k)}: [" if isinstance(v, list) and v else f" {encode(k)}: {encode(v)}"
        for k, v in document.items()
    ]
    text = dumps(document)
    assert json.loads(text) == json.loads(json.dumps(document))
    lines = text.split("\n")
    for key, value in document.items():
        start = lines.index(next(w for w in want if w.startswith(f" {encode(key)}:")))
        if isinstance(value, list) and value:
            assert [line.strip().rstrip(",") for line in lines[start + 1 : start + 1 + len(value)]] == list(
                map(encode, value)
            )


def _run_cli(stdin: bytes, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    """`python -m bot.pair_cli`, as a shell runs it: C.UTF-8 (a container's usual locale) unless told."""
    root = Path(__file__).resolve().parents[3]
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root), "LC_ALL": "C.UTF-8", **env}
    return subprocess.run(
        [sys.executable, "-m", "bot.pair_cli", "-", *args],
        input=stdin,
        capture_output=True,
        env=environment,
        cwd=root,
        check=False,
    )


def test_bytes_on_stdin_that_are_not_utf8_are_one_line_and_exit_2(tmp_path: Path) -> None:
    # Python reads stdin with surrogateescape under C and C.UTF-8 locales: the byte became a
    # lone surrogate, written back as invalid UTF-8 to stdout, a traceback with --out.
    document = json.dumps(GOOD).replace('"U5"', '"U\xff5"').encode("latin-1")
    for args in ((), ("--out", str(tmp_path / "out.json"))):
        done = _run_cli(document, *args)
        assert done.returncode == 2, done.stderr
        assert done.stderr.decode() == "jembatan pair: - is not UTF-8 text\n"


def test_the_json_on_stdout_is_utf8_whatever_the_locale_says() -> None:
    # JSON is UTF-8 (RFC 8259); an id with an emoji must not make a Latin-1 stdout raise.
    members = [*GOOD["members"][:4], {"id": "U5\U0001f600", "division": "Ops"}]
    document = json.dumps({**GOOD, "members": members, "blocked": []}).encode()
    done = _run_cli(document, PYTHONIOENCODING="latin-1")
    assert done.returncode == 0, done.stderr
    groups = json.loads(done.stdout.decode("utf-8"))["groups"]
    assert "U5\U0001f600" in [m for g in groups for m in g]


def test_emoji_as_escaped_pairs_and_backslashes_are_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Python's json writes an emoji as two escapes; such a file is read in one pass (encoding
    # all of a 100,000-member file again to look for lone surrogates took 0.1 s).
    import bot.pair_cli

    def no_second_pass(*_: object, **__: object) -> str:
        raise AssertionError("the decoded document was encoded again")

    ids = ["U1\U0001f600", "U2\\ud800", "U3\\\U0001f9d7", "U4"]
    document = json.dumps({"members": [{"id": u, "division": f"D{i % 2}"} for i, u in enumerate(ids)]})
    source = _write(tmp_path, document.replace("\\ude00", "\\uDE00"))  # either case of hex digits
    monkeypatch.setattr(bot.pair_cli.json, "dumps", no_second_pass)
    assert main([str(source)]) == 0
    monkeypatch.undo()
    assert sorted(m for g in json.loads(capsys.readouterr().out)["groups"] for m in g) == ids


def test_a_reader_that_stops_early_gets_no_complaint(tmp_path: Path) -> None:
    # `jembatan pair big.json --out - | head`: the reader leaves after the first lines, and the
    # rest of a long output meets a closed pipe. Other tools stop quietly there; so does this.
    members = [{"id": f"U{i:05d}", "division": f"D{i % 7}"} for i in range(30_000)]
    source = _write(tmp_path, {"members": members})
    command = [sys.executable, "-m", "bot.pair_cli", str(source), "--out", "-"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as run:
        assert run.stdout is not None and run.stderr is not None
        assert run.stdout.read(100).startswith(b"{")
        run.stdout.close()
        err = run.stderr.read().decode()
        assert run.wait(timeout=60) == 0
    assert "cannot write" not in err and "Traceback" not in err and "Broken pipe" not in err
