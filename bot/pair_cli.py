"""`jembatan pair`: pair a roster from a JSON file, offline, with the engine the bot uses.

    jembatan pair INPUT.json --out OUT.json [--seed N] [--group-size K] [--cross-division MODE]

INPUT (`-` for stdin):
    {"members": [{"id": "U1", "division": "Sales", "timezone": "Asia/Jakarta",
                  "interests": ["climbing"]},
                 {"id": "U2", "division": "Finance"}, {"id": "U3", "division": "Sales"},
                 {"id": "U4", "division": "Legal"}],
     "history": [{"date": "2026-11-02", "groups": [["U1", "U2"], {"members": ["U3", "U4"], "met": false}]}],
     "blocked": [["U1", "U4"]], "group_size": 2, "cross_division": "prefer", "date": "2026-11-09"}
Only "members" (each with an id and a division) is required. Time zones are IANA names,
turned into UTC offsets for the round's "date" (today if absent).

OUT (`-`, the default, for stdout): groups, unpaired, the reasons for each group, the
rules that had to bend, and metrics. Bad input exits with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import re
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time
from itertools import chain, repeat
from json.encoder import encode_basestring  # in C: what the encoder writes a str with
from operator import attrgetter, eq
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from bot.domain.pairing import (
    CrossDivisionMode,
    FlatGroups,
    Member,
    PairingRequest,
    PairingResult,
    PastRound,
    Reason,
    make_groups,
)
from bot.domain.pairing.sizes import MAX_GROUP_SIZE, MIN_GROUP_SIZE

PROG = "jembatan pair"
ANNOUNCE_FROM = 5_000  # members; below that a run is too quick to need a word of progress


class BadInput(Exception):
    """Something wrong with the command line or the input file; the message is the one line shown."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise BadInput(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Pair a roster offline with the engine the bot uses: preview a round or plan a program.",
        epilog=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", help="roster JSON file, or - for stdin")
    parser.add_argument("--out", default="-", help="where to write the result JSON (default: stdout)")
    parser.add_argument("--seed", type=int, help='random seed (default: the input\'s "seed", else 0)')
    parser.add_argument("--group-size", type=int, help="people per group, 2-4 (default: the input's, else 2)")
    parser.add_argument(
        "--cross-division",
        choices=[m.value for m in CrossDivisionMode],
        help="off: divisions ignored; prefer: as many groups across divisions as possible, everyone "
        "placed; require: no group inside one division, whoever cannot be placed across sits out "
        "(unpaired reason same_division_only). Default: the input's, else prefer",
    )
    return parser


def main(argv: list[str]) -> int:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see adapters/cli.py: numpy's BLAS, one thread
    # One short run that builds millions of small acyclic objects (the decoded file, the
    # request, the engine's indices): the cyclic collector would walk them all, again and
    # again, for nothing (it took as long as decoding the JSON itself).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _main(argv)
    finally:
        if was_enabled:
            gc.enable()


def _main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
        raw = _read(args.input)
        request, day = parse_request(
            raw, seed=args.seed, group_size=args.group_size, mode=args.cross_division
        )
    except BadInput as problem:
        print(f"{PROG}: {problem}", file=sys.stderr)
        return 2
    except SystemExit as done:  # --help
        return done.code if isinstance(done.code, int) else 0
    del raw  # the decoded JSON: hundreds of bytes per member the engine can reuse
    to_file = args.out != "-"
    if to_file or len(request.members) >= ANNOUNCE_FROM:
        _note(f"pairing {len(request.members):,} members, {len(request.history)} round(s) of history…")
    result = make_groups(request)
    document = render(result, request, day)
    try:
        if to_file:
            with open(args.out, "w", encoding="utf-8") as out:
                out.writelines(pieces(document))
        else:
            if isinstance(sys.stdout, io.TextIOWrapper):
                sys.stdout.reconfigure(encoding="utf-8")  # JSON is UTF-8, whatever the locale says
            sys.stdout.writelines(pieces(document))
    except OSError as error:
        if isinstance(error, BrokenPipeError) and not to_file:
            # The reader took what it wanted and left (`| head`): quiet, as other tools are.
            # Python would complain again flushing stdout at exit: stdout goes nowhere now.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        print(f"{PROG}: cannot write {args.out}: {error.strerror or error}", file=sys.stderr)
        return 1
    if to_file:
        _note(f"{summary(result)}; wrote {args.out}")
    return 0


def _note(line: str) -> None:
    # Progress goes to stderr, so the JSON on stdout stays clean for a pipe.
    print(f"{PROG}: {line}", file=sys.stderr, flush=True)


def summary(result: PairingResult) -> str:
    m = result.metrics
    left = f", {len(result.unpaired)} unpaired" if result.unpaired else ""
    return (
        f"{len(result.groups):,} groups{left}; {m.cross_division_pairs:,} of {m.ceiling:,} possible "
        f"cross-division pairs, {m.repeats} repeats, in {m.seconds:.2f} s"
    )


def _read(path: str) -> Any:
    try:
        if path == "-":
            # The bytes, decoded strictly here: Python's own stdin decodes by the locale, and
            # under C and C.UTF-8 with surrogateescape, so a byte that is not UTF-8 would pass
            # as a lone surrogate and break the output (a StringIO in tests has no bytes).
            source = getattr(sys.stdin, "buffer", None)
            text = source.read().decode("utf-8") if source is not None else sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as error:
        raise BadInput(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path} is not UTF-8 text") from None
    try:
        decoded = json.loads(text, object_hook=_Compact())
    except json.JSONDecodeError as error:
        raise BadInput(
            f"{path} is not JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except (RecursionError, ValueError) as error:  # nested too deep; a number too long
        raise BadInput(f"{path} is not usable JSON: {error}") from None
    if _SURROGATE_ESCAPE.search(text) and _lone_surrogate(text):  # "\\ud800" alone: valid JSON, no text
        raise BadInput(f"{path} holds a lone surrogate (\\ud800-\\udfff), which is not text")
    return decoded


def _lone_surrogate(text: str) -> bool:
    """Does a \\u escape of a surrogate stand alone? The file decoded as JSON, so every \\u is in a
    string; an escaped backslash (\\\\) is taken out first, so "\\\\ud800" (a backslash, then
    "ud800") is no escape. An emoji as a pair of escapes, the way Python's json writes one, is
    text: only this scan, no second pass over everything decoded (0.1 s at 100,000 members)."""
    return _SURROGATE_ESCAPE.search(_PAIRED.sub("_", text)) is not None


# A JSON \u escape of a UTF-16 surrogate: as a pair it is one character, alone it cannot be written out.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# An escaped backslash, or a high surrogate's escape with a low one's after it; read from the
# left, each backslash that starts an escape starts a match or is no backslash of these.
_PAIRED = re.compile(r"\\\\|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")


class _Compact:
    """Called with each JSON object as it is decoded, to keep the decoded file small.

    A round of pairs (the usual round) becomes an array of positions in the member list as
    decoded so far (the members come first in a file the bot or the benchmark writes); any
    other round's groups become tuples of strings shared with the member who has that id.
    Members share their division, time zone and interests' strings the same way. The decoder
    makes a new string for every id it reads: 8 rounds of 100,000 people were 800,000 of them,
    plus a list per group, and a round is compacted as soon as it is decoded, so the whole
    decoded history never exists at once. Anything else is left as it was, for
    `parse_request` to check (and name what is wrong).
    """

    def __init__(self) -> None:
        self.strings: dict[str, str] = {}
        self.lists: dict[tuple[Any, ...], tuple[str, ...]] = {}  # interests, shared
        self.order: list[str] = []  # the ids of objects that look like members, as decoded
        self._position: dict[str, int] = {}
        self._known = 0  # how many of `order` _position holds
        self._shared = 0  # how many of `order` strings holds

    def __call__(self, entry: dict[str, Any]) -> dict[str, Any]:
        if "id" in entry:  # a member (or something like one: parse_request checks)
            self._member(entry)
            return entry
        groups = entry.get("groups")
        if type(groups) is list:  # a round
            pairs = self._pairs(groups)
            if pairs is not None:
                entry["groups"] = pairs
            else:
                self._share_ids()
                for x, group in enumerate(groups):
                    shared = self._strings(group)
                    if shared is not None:
                        groups[x] = shared
        return entry

    def _member(self, entry: dict[str, Any]) -> None:
        # Written for speed: it runs for each of 100,000 members in a big file. The id is kept
        # as decoded: the member holds the only copy, a round's ids become positions.
        pool, get = self.strings.setdefault, entry.get
        member_id = get("id")
        if type(member_id) is str:
            self.order.append(member_id)
        division, zone = get("division"), get("timezone")
        if type(division) is str:
            entry["division"] = pool(division, division)
        if type(zone) is str:
            entry["timezone"] = pool(zone, zone)
        interests = get("interests")
        if type(interests) is list:  # one tuple for everyone who lists the same, in that order
            liked = tuple(interests)
            try:
                shared = self.lists.get(liked)
            except TypeError:  # a list or an object in it: parse_request names it
                return
            if shared is None and set(map(type, liked)) <= {str}:
                shared = self.lists[liked] = liked
            if shared is not None:
                entry["interests"] = shared

    def _share_ids(self) -> None:
        """Let a round's ids share the members' strings, as their other strings do."""
        if self._shared < len(self.order):
            new = self.order[self._shared :]
            self.strings.update(zip(new, new, strict=True))
            self._shared = len(self.order)

    def position(self) -> dict[str, int]:
        """id -> where in `order` it came first, for the members decoded so far. Built from
        copies of the ids made side by side: looking 100,000 ids up in a dict whose keys lay
        strewn among the decoded members took a third longer."""
        order, position = self.order, self._position
        if self._known < len(order):
            new = order[self._known :]
            if "\0" not in "".join(new):  # no NUL in any id to join them on
                new = "\0".join(new).split("\0")
            # Reversed, so that the first of an id twice wins; then those found before.
            found = dict(zip(reversed(new), range(len(order) - 1, self._known - 1, -1), strict=True))
            found.update(position)
            self._position, self._known = found, len(order)
        return self._position

    def _pairs(self, groups: list[Any]) -> _Pairs | None:
        """A round whose every group is two ids of members already decoded, as positions;
        found and built by whole-list operations, in C."""
        if set(map(type, groups)) != {list} or set(map(len, groups)) != {2}:
            return None
        try:
            found = list(map(self.position().get, chain.from_iterable(groups), repeat(-1)))
        except TypeError:  # an id that is a list or an object: parse_request names it
            return None
        return _Pairs(array("i", found), self.order) if -1 not in found else None

    def _strings(self, value: Any) -> tuple[str, ...] | None:
        if type(value) is not list or not all(type(v) is str for v in value):
            return None
        pool = self.strings.setdefault
        return tuple([pool(v, v) for v in value])


class _Pairs:
    """A decoded round whose groups are all pairs: at[0] with at[1], at[2] with at[3], ...,
    as positions in `order`, the ids of the members as decoded."""

    __slots__ = ("at", "order")

    def __init__(self, at: array[int], order: list[str]) -> None:
        self.at, self.order = at, order


def parse_request(
    raw: Any, *, seed: int | None = None, group_size: int | None = None, mode: str | None = None
) -> tuple[PairingRequest, date]:
    """The engine's request from decoded JSON; raises BadInput naming the first problem."""
    if not isinstance(raw, dict):
        raise BadInput('the input must be a JSON object with a "members" list')
    day = _date(raw.get("date"), '"date"') if raw.get("date") is not None else date.today()
    members = _members(raw.get("members"), day)
    where = {m.id: i for i, m in enumerate(members)}
    history = _history(raw.get("history", []), members, where)
    blocked = _blocked(raw.get("blocked", []), members, where)
    size = group_size if group_size is not None else raw.get("group_size", 2)
    if isinstance(size, bool) or not isinstance(size, int) or not MIN_GROUP_SIZE <= size <= MAX_GROUP_SIZE:
        raise BadInput(
            f"group size must be a whole number from {MIN_GROUP_SIZE} to {MAX_GROUP_SIZE}, not {size!r}"
        )
    mode_name = mode if mode is not None else raw.get("cross_division", CrossDivisionMode.PREFER.value)
    try:
        cross = CrossDivisionMode(mode_name)
    except ValueError:
        raise BadInput(f"cross_division must be off, prefer or require, not {mode_name!r}") from None
    chosen_seed = seed if seed is not None else raw.get("seed", 0)
    if isinstance(chosen_seed, bool) or not isinstance(chosen_seed, int):
        raise BadInput(f"seed must be a whole number, not {chosen_seed!r}")
    request = PairingRequest(
        members=members,
        history=history,
        blocked=blocked,
        group_size=size,
        cross_division=cross,
        seed=chosen_seed,
    )
    return request, day


def _date(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise BadInput(f"{where} must be a date like 2026-11-02, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{where} must be a date like 2026-11-02, not {value!r}") from None


def _strings(value: Any, where: str) -> Sequence[str]:
    if type(value) is tuple:  # a list of strings, compacted while decoding (see _Compact)
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadInput(f"{where} must be a list of strings")
    return value


def _members(value: Any, day: date) -> list[Member]:
    if not isinstance(value, list):
        raise BadInput('the input needs a "members" list')
    offsets: dict[str, int] = {}  # one zone lookup per distinct zone
    noon = datetime.combine(day, time(12))
    members: list[Member] = []
    # Many people share a division and a set of interests: one object each, not one per
    # person, each worked out once (keyed by the division and the interests as written).
    divisions: dict[str, str] = {}
    interest_sets: dict[Sequence[str], frozenset[str]] = {}
    seen: set[str] = set()
    for number, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            raise BadInput(f"member #{number} must be an object")
        member_id = entry.get("id")
        if member_id is None or member_id == "":
            raise BadInput(f"member #{number} has no id")
        if not isinstance(member_id, str):
            raise BadInput(f'member #{number}: id must be a string, like "U1", not {member_id!r}')
        if member_id in seen:
            raise BadInput(f"duplicate member id {member_id!r}")
        seen.add(member_id)
        division = entry.get("division")
        name = divisions.get(division) if type(division) is str else None
        if name is None:
            if not isinstance(division, str) or not division.strip():
                raise BadInput(f"member {member_id!r} has no division")
            name = divisions[division] = _shared(divisions, division.strip())
        zone = entry.get("timezone")
        offset: int | None = None
        if zone is not None:
            if not isinstance(zone, str):
                raise BadInput(f"member {member_id!r}: timezone must be an IANA name like Asia/Jakarta")
            offset = offsets.get(zone)
            if offset is None:
                offset = offsets[zone] = _offset(zone, noon, member_id)
        interests = _strings(entry.get("interests", ()), f"member {member_id!r}: interests")
        liked = interest_sets.get(interests) if type(interests) is tuple else None
        if liked is None:
            ordered = tuple(sorted(interests))
            liked = interest_sets.setdefault(ordered, frozenset(ordered))
            if type(interests) is tuple:  # as written (compacted while decoding: hashable)
                interest_sets[interests] = liked
        members.append(Member(member_id, name, offset, liked))
    return members


def _shared(names: dict[str, str], name: str) -> str:
    """The one copy of a division's name: "Sales" and "Sales " are the same division."""
    return names.setdefault(name, name)


def _offset(zone: str, noon: datetime, member_id: str) -> int:
    try:
        delta = noon.replace(tzinfo=ZoneInfo(zone)).utcoffset()
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        raise BadInput(f"member {member_id!r}: unknown time zone {zone!r}") from None
    return int(delta.total_seconds() // 60) if delta is not None else 0


def _history(value: Any, members: list[Member], where: dict[str, int]) -> list[PastRound]:
    if not isinstance(value, list):
        raise BadInput('"history" must be a list of rounds')
    rounds: list[PastRound] = []
    ids = [m.id for m in members]
    for number, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            raise BadInput(f"history round #{number} must be an object with a date and groups")
        when = _date(entry.get("date"), f"history round #{number}: date")
        groups = entry.get("groups")
        if type(groups) is _Pairs and groups.order == ids:  # positions in `members` already
            if any(map(eq, groups.at[0::2], groups.at[1::2])):
                twice = next(a for a, b in zip(groups.at[0::2], groups.at[1::2], strict=True) if a == b)
                raise BadInput(
                    f"history {when}: a group needs two or more different members, not {[ids[twice]] * 2!r}"
                )
            rounds.append(PastRound(when, FlatGroups(members, groups.at)))
            continue
        if type(groups) is _Pairs:  # something else that looked like a member was decoded too
            pairs = [groups.order[i] for i in groups.at]
            groups = [pairs[i : i + 2] for i in range(0, len(pairs), 2)]
        if not isinstance(groups, list):
            raise BadInput(f'history {when}: "groups" must be a list')
        rounds.append(PastRound(when, _groups(groups, members, where, when)))
    return rounds


def _groups(groups: list[Any], members: list[Member], where: dict[str, int], when: date) -> FlatGroups:
    at = array("i")
    starts = array("l", [0])
    met_of: dict[int, bool] = {}
    for index, group in enumerate(groups):
        met: bool | None = None
        if isinstance(group, dict):
            ids = _strings(group.get("members"), f"history {when}: group members")
            met = group.get("met")
            if met is not None and not isinstance(met, bool):
                raise BadInput(f'history {when}: "met" must be true, false or null')
        else:
            ids = _strings(group, f"history {when}: each group")
        if len(set(ids)) < 2 or len(set(ids)) != len(ids):
            raise BadInput(f"history {when}: a group needs two or more different members, not {list(ids)!r}")
        for member_id in ids:
            if member_id not in where:
                raise BadInput(f"history {when}: unknown member id {member_id!r}")
        at.extend(where[u] for u in ids)
        starts.append(len(at))
        if met is not None:
            met_of[index] = met
    return FlatGroups(members, at, starts, met_of)


def _blocked(value: Any, members: list[Member], where: dict[str, int]) -> list[tuple[str, str]]:
    if not isinstance(value, list):
        raise BadInput('"blocked" must be a list of [id, id] pairs')
    pairs: list[tuple[str, str]] = []
    for entry in value:
        ids = _strings(entry, "each blocked entry")
        if len(ids) != 2 or ids[0] == ids[1]:
            raise BadInput(f"blocked entry {entry!r} must name two different members")
        for member_id in ids:
            if member_id not in where:
                raise BadInput(f"blocked: unknown member id {member_id!r}")
        pairs.append((members[where[ids[0]]].id, members[where[ids[1]]].id))
    return pairs


def dumps(document: dict[str, Any]) -> str:
    """JSON with one line per key, and one line per item of a list: a group per line."""
    return "".join(pieces(document))[:-1]


def pieces(document: dict[str, Any]) -> Iterator[str]:
    """dumps' text and a newline, a key's worth at a time: written as they come, the whole
    text (5 MB at 100,000 members) is never held, let alone twice over."""
    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per item
    yield "{\n"
    for number, (key, value) in enumerate(document.items()):
        name = encode(key)
        if number:
            yield ",\n"
        if isinstance(value, list) and value:
            yield f" {name}: [\n  "
            yield from _items(value, encode)
            yield "\n ]"
        else:
            yield f" {name}: {encode(value)}"
    yield "\n}\n"


ITEMS_AT_ONCE = 4096  # list items encoded into one piece of the output


def _items(value: list[Any], encode: Callable[[Any], str]) -> Iterator[str]:
    """A list's items, one a line, in pieces of ITEMS_AT_ONCE items. Lists of strings (the
    groups, their reasons and shared interests: 50,000 lines each at 100,000 members) are
    joined from their strings' encodings, in C, as the encoder would write them: the encoder
    called per item took four times as long."""
    strings = set(map(type, value)) <= {list, tuple} and set(map(type, chain.from_iterable(value))) <= {str}
    for start in range(0, len(value), ITEMS_AT_ONCE):
        part = value[start : start + ITEMS_AT_ONCE]
        if start:
            yield ",\n  "
        if strings:
            yield "[" + "],\n  [".join(map(", ".join, map(map, repeat(encode_basestring), part))) + "]"
        else:
            yield ",\n  ".join(map(encode, part))


class _ReasonNames(dict[frozenset[Reason], list[str]]):
    """A group's reasons -> their names in order, worked out once for each set (there are few)."""

    def __missing__(self, reasons: frozenset[Reason]) -> list[str]:
        names = self[reasons] = sorted(r.value for r in reasons)
        return names


def render(result: PairingResult, request: PairingRequest, day: date) -> dict[str, Any]:
    """The output document: groups and unpaired as ids, then why, what bent, and how well it went."""
    metrics = result.metrics
    return {
        # The engine's own tuples, written as JSON lists: not a list more per group.
        "groups": list(map(attrgetter("members"), result.groups)),
        "unpaired": [u.member for u in result.unpaired],
        "reasons": list(map(_ReasonNames().__getitem__, map(attrgetter("reasons"), result.groups))),
        "shared_interests": list(map(attrgetter("shared_interests"), result.groups)),
        "unpaired_reasons": {u.member: u.reason.value for u in result.unpaired},
        "relaxed": [{"rule": r.rule.value, "members": list(r.members)} for r in result.relaxed],
        "metrics": {
            "cross_division": metrics.cross_division_pairs,
            "repeats": metrics.repeats,
            "ceiling": metrics.ceiling,
            "seconds": round(metrics.seconds, 4),
            "pairs": metrics.pairs,
            "weak_repeats": metrics.weak_repeats,
            "hours_overlap": metrics.hours_overlap_pairs,
            "shared_interest": metrics.shared_interest_pairs,
        },
        "settings": {
            "seed": request.seed,
            "group_size": request.group_size,
            "cross_division": request.cross_division.value,
            "date": day.isoformat(),
        },
    }


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
