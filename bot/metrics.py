"""What an operator watches, as Prometheus metrics (served at /metrics on JEMBATAN_HEALTH_PORT).

Defined once here, in the core, so both platforms count the same things the same way. Labels
never carry a workspace or person id: a host with hundreds of workspaces would otherwise make
thousands of series. Logs carry the ids (bot.log_context); metrics carry the totals.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

COMMANDS = Counter("jembatan_commands_total", "Commands handled, by kind and outcome", ["kind", "outcome"])
ACK_SECONDS = Histogram(
    "jembatan_ack_seconds",
    "From a platform request's arrival to its acknowledgement",
    ["platform"],
    # Fine between 50 ms and 1 s, where a good p99 lives (the goal is under 0.3 s): an alert
    # on "p99 over 300 ms" needs a bucket edge there. 3 s is Slack's and Discord's deadline.
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2, 3, 5),
)
BUSY = Counter(
    "jembatan_commands_busy_total", "Commands answered 'busy, try again' (the work queue was full)"
)
ROUNDS = Counter("jembatan_rounds_total", "Rounds run")
GROUPS = Counter("jembatan_groups_total", "Groups made by rounds")
SENDS = Counter("jembatan_sends_total", "Outbox sends, by result", ["result"])  # sent, retried, failed
RATE_LIMITED = Counter("jembatan_rate_limited_total", "Sends the platform answered with 429")
RETRY_AFTER_SECONDS = Counter(
    "jembatan_retry_after_seconds_total", "Seconds of Retry-After the platform asked for"
)
OUTBOX_DEPTH = Gauge("jembatan_outbox_pending", "Outbox rows due or waiting to be sent (as of the last pass)")
OUTBOX_OLDEST_SECONDS = Gauge(
    "jembatan_outbox_oldest_pending_seconds", "Age of the oldest pending outbox row (as of the last pass)"
)
DELIVERY_LAG_SECONDS = Histogram(
    "jembatan_delivery_lag_seconds",
    "From a message's queueing to its delivery",
    buckets=(1, 5, 15, 60, 300, 900, 1800, 3600, 7200),
)
DATABASE_ERRORS = Counter("jembatan_database_errors_total", "Database errors met by commands and jobs")
