"""The `jembatan` command line: the outermost edge, where adapters are chosen and started.

Each command imports only what it needs, when it runs: `jembatan pair` and `--help` start
without SQLAlchemy, Alembic, rich, matplotlib or any platform SDK (a test holds this)."""

from __future__ import annotations

import argparse
import os
import sys

# The modules each platform's extra installs (pyproject.toml), looked for before handing over,
# so that a base install gets one line naming the fix, not a traceback from inside an adapter.
EXTRAS = {
    "slack": ("slack_bolt", "slack_sdk", "aiohttp", "cryptography"),
    "discord": ("discord", "aiohttp"),
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jembatan")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


class _Version(argparse.Action):
    """`--version`, looked up only when asked for: importlib.metadata alone takes longer to
    import than the rest of `jembatan --help`."""

    def __init__(self, option_strings: list[str], dest: str, **_: object) -> None:
        super().__init__(option_strings, argparse.SUPPRESS, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"{parser.prog} {_version()}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jembatan", description="Grow workplace networks across team lines."
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the whole loop on a throwaway database with a simulated clock")
    demo.add_argument("--members", type=int, default=60, help="community size (default 60)")
    demo.add_argument("--rounds", type=int, default=4, help="weekly rounds to run (default 4)")
    demo.add_argument(
        "--lang",
        choices=("en", "id"),
        default="en",
        help="the language the bot speaks: en (English) or id (Bahasa Indonesia); default en",
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=7,
        help="seed for the made-up community (divisions, time zones, interests, who clicks what):"
        " the same seed prints the same demo; default 7",
    )
    demo.add_argument(
        "--serve", action="store_true", help="then serve the admin dashboard over the demo on 127.0.0.1"
    )
    demo.add_argument("--port", type=int, default=8080, help="the dashboard's port (default 8080)")
    sub.add_parser("migrate", help="upgrade DATABASE_URL to the latest schema")
    sub.add_parser(
        "rotate-key",
        help="re-encrypt the stored Slack tokens with JEMBATAN_SECRET_KEY "
        "(the old keys in JEMBATAN_OLD_SECRET_KEYS)",
    )
    sub.add_parser("pair", help="pair a roster from a JSON file (see `jembatan pair --help`)", add_help=False)
    run = sub.add_parser(
        "run",
        help="run the bot: `jembatan run slack|discord …`",
        description="Run the bot on one platform. `jembatan run slack --help` and "
        "`jembatan run discord --help` show each one's options.",
    )
    run.add_argument("platform", choices=("slack", "discord"))
    sub.add_parser("discord", help="Discord housekeeping: `jembatan discord sync|invite`", add_help=False)
    return parser


def _platform_main(platform: str, argv: list[str]) -> int:
    """Hand over to an adapter's own command line; its SDK is imported only when asked for."""
    import importlib

    if any(not _installed(name) for name in EXTRAS[platform]):
        print(
            f"jembatan: install the {platform} extra first: pip install 'jembatan[{platform}]'",
            file=sys.stderr,
        )
        return 2
    try:
        module = importlib.import_module(f"adapters.{platform}.main")
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith(f"adapters.{platform}"):
            print(f"jembatan: the {platform} adapter is not available in this version", file=sys.stderr)
        else:
            print(
                f"jembatan: install the {platform} extra first: pip install 'jembatan[{platform}]'",
                file=sys.stderr,
            )
        return 2
    return int(module.main(argv))


def _installed(module: str) -> bool:
    from importlib.util import find_spec

    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):  # a broken install, or a module without a spec
        return False


def main(argv: list[str] | None = None) -> int:
    # Nothing in Jembatan multiplies matrices, yet numpy (the engine's indexing of big rosters,
    # matplotlib's charts) starts a BLAS thread per core on import, whose spin cost 0.04-0.1 s
    # of CPU: one is enough. Set before numpy is imported, which reads it then; an operator's
    # own setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:  # Ctrl-C, e.g. to stop a demo: a word, not a traceback
        print("jembatan: interrupted", file=sys.stderr)
        return 130


def _main(args_list: list[str]) -> int:
    if args_list[:1] == ["pair"]:
        from bot.pair_cli import main as pair_main

        return pair_main(args_list[1:])
    if args_list[:1] == ["run"] and len(args_list) > 1 and args_list[1] == "slack":
        return _platform_main("slack", args_list[2:])
    if args_list[:1] == ["run"] and len(args_list) > 1 and args_list[1] == "discord":
        return _platform_main("discord", ["run", *args_list[2:]])  # its parser's `run` action
    if args_list[:1] == ["discord"]:
        return _platform_main("discord", args_list[1:])
    args = _parser().parse_args(args_list)
    import asyncio
    import logging

    from bot.app import BadConfig, configure_logging, load_settings, refuse

    try:
        settings = load_settings()
    except BadConfig as error:
        return refuse(error)
    # The demo's own output tells the story; elsewhere logs go to stderr at the configured level.
    level = logging.WARNING if args.command == "demo" else settings.log_level
    configure_logging(logging.getLevelName(level), settings.log_format)
    if args.command == "demo":
        if not 2 <= args.members <= 2000 or not 1 <= args.rounds <= 52:
            print("jembatan: --members must be 2–2000 and --rounds 1–52", file=sys.stderr)
            return 2
        if args.serve:
            try:
                from adapters.demo_serve import main as serve_main
            except ModuleNotFoundError:
                print("jembatan: install the dashboard extra first: pip install 'jembatan[dashboard]'")
                return 2
            return serve_main(args.members, args.rounds, args.lang, args.seed, args.port)
        from adapters.console.demo import run_demo

        asyncio.run(run_demo(args.members, args.rounds, args.lang, args.seed))
        return 0
    if args.command == "migrate":
        from bot.app import database_errors_as_bad_config, shown, upgrade_sync

        try:
            with database_errors_as_bad_config():
                upgrade_sync(settings.database_url)
        except BadConfig as error:
            return refuse(error)
        print(f"jembatan: the database {shown(settings.database_url)} is at the latest schema")
        return 0
    if args.command == "rotate-key":
        if not _installed("cryptography"):
            print("jembatan: install the slack extra first: pip install 'jembatan[slack]'", file=sys.stderr)
            return 2
        from bot.app import rotate_key_main

        return rotate_key_main(settings)
    raise AssertionError(f"unhandled command {args.command}")  # `run` is handed over above


if __name__ == "__main__":
    sys.exit(main())
