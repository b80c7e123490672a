"""Configuration from the environment (12-factor). Secrets never appear in repr or logs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_DATABASE_URL = "sqlite:///jembatan.db"


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# A key (or passphrase) shorter than this, or with fewer different characters, is refused: it
# encrypts every workspace's token at rest. `secrets.token_urlsafe(32)` gives 43 characters.
MIN_KEY_LENGTH = 32
MIN_KEY_DISTINCT = 10
MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


class ConfigError(ValueError):
    """A missing or malformed setting; the message names the variable, never its value."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    log_level: str = "INFO"
    log_format: str = "plain"  # or "json": one object per line, for a log pipeline
    default_lang: str = "en"
    tick_seconds: int = 60
    health_port: int | None = None  # /healthz and /readyz on a port of their own (every mode)
    send_interval: float | None = None  # seconds between outbox sends; None: the platform's default
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_client_id: str | None = None
    slack_client_secret: str | None = field(default=None, repr=False)
    slack_api_url: str = "https://slack.com/api/"
    discord_token: str | None = field(default=None, repr=False)
    discord_api_url: str | None = None
    discord_gateway_url: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    old_secret_keys: tuple[str, ...] = field(default=(), repr=False)  # read tokens; never write
    workers: int = 8  # commands carried out at once (each holds one database connection)
    queue_size: int = 200  # commands accepted and not yet answered; past it: "busy, try again"
    keep_sent_days: int = 30  # sent messages and delivery ids are deleted after this many days

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        tick = get("JEMBATAN_TICK_SECONDS") or "60"
        if not tick.isdigit() or not 5 <= int(tick) <= 3600:
            raise ConfigError("JEMBATAN_TICK_SECONDS must be a whole number of seconds from 5 to 3600")
        interval = get("JEMBATAN_SEND_INTERVAL")
        if interval is not None and not _seconds(interval, most=60.0):
            raise ConfigError("JEMBATAN_SEND_INTERVAL must be a number of seconds from 0 to 60")
        log_level = (get("LOG_LEVEL") or "INFO").upper()
        if log_level not in LOG_LEVELS:
            raise ConfigError("LOG_LEVEL must be one of " + ", ".join(LOG_LEVELS))
        health_port = get("JEMBATAN_HEALTH_PORT")
        if health_port is not None and not (
            health_port.isascii() and health_port.isdigit() and 1 <= int(health_port) <= 65535
        ):
            raise ConfigError("JEMBATAN_HEALTH_PORT must be a port number from 1 to 65535")
        log_format = (get("JEMBATAN_LOG_FORMAT") or "plain").lower()
        if log_format not in ("plain", "json"):
            raise ConfigError("JEMBATAN_LOG_FORMAT must be plain or json")
        lang = (get("JEMBATAN_LANG") or "en").lower()
        if lang not in ("en", "id"):
            raise ConfigError("JEMBATAN_LANG must be en or id")
        workers = get("JEMBATAN_WORKERS") or "8"
        if not (workers.isascii() and workers.isdigit() and 1 <= int(workers) <= 64):
            raise ConfigError("JEMBATAN_WORKERS must be a whole number from 1 to 64")
        queue_size = get("JEMBATAN_QUEUE_SIZE") or "200"
        if not (queue_size.isascii() and queue_size.isdigit() and 1 <= int(queue_size) <= 100_000):
            raise ConfigError("JEMBATAN_QUEUE_SIZE must be a whole number from 1 to 100000")
        keep_sent = get("JEMBATAN_KEEP_SENT_DAYS") or "30"
        if not (keep_sent.isascii() and keep_sent.isdigit() and 1 <= int(keep_sent) <= 3650):
            raise ConfigError("JEMBATAN_KEEP_SENT_DAYS must be a whole number of days from 1 to 3650")
        secret_key = get("JEMBATAN_SECRET_KEY")
        if secret_key is not None and (
            len(secret_key) < MIN_KEY_LENGTH or len(set(secret_key)) < MIN_KEY_DISTINCT
        ):
            raise ConfigError(
                f"JEMBATAN_SECRET_KEY is too weak (at least {MIN_KEY_LENGTH} random characters); "
                f"make one with: {MAKE_A_KEY}"
            )
        # The keys used before, so tokens stored under them still decrypt while a rotation is
        # under way (see `jembatan rotate-key`). Not checked for strength: they only read.
        old_keys = tuple(k.strip() for k in (get("JEMBATAN_OLD_SECRET_KEYS") or "").split(",") if k.strip())
        if old_keys and secret_key is None:
            raise ConfigError("JEMBATAN_OLD_SECRET_KEYS needs JEMBATAN_SECRET_KEY (the key to encrypt with)")
        return cls(
            database_url=get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            log_level=log_level,
            log_format=log_format,
            default_lang=lang,
            tick_seconds=int(tick),
            health_port=int(health_port) if health_port else None,
            send_interval=float(interval) if interval is not None else None,
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_client_id=get("SLACK_CLIENT_ID"),
            slack_client_secret=get("SLACK_CLIENT_SECRET"),
            slack_api_url=get("SLACK_API_URL") or "https://slack.com/api/",
            discord_token=get("DISCORD_TOKEN"),
            discord_api_url=get("DISCORD_API_URL"),
            discord_gateway_url=get("DISCORD_GATEWAY_URL"),
            secret_key=secret_key,
            old_secret_keys=old_keys,
            workers=int(workers),
            queue_size=int(queue_size),
            keep_sent_days=int(keep_sent),
        )


def _seconds(value: str, *, most: float) -> bool:
    try:
        number = float(value)
    except ValueError:
        return False
    return 0.0 <= number <= most  # NaN compares false
