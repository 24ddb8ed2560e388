"""The sender's knobs and bookkeeping: pace, retries, lease, the report of a drain, and its Slack client."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from slack_sdk import WebClient


@dataclass(frozen=True)
class SendPolicy:
    """Pace, retries and lease of a sender (from the settings)."""

    rate_per_second: float = 1.0
    max_attempts: int = 6
    backoff: float = 30.0
    backoff_max: float = 1800.0
    lease: timedelta = timedelta(seconds=120)

    @property
    def batch(self) -> int:
        """Rows per claim: a batch takes at most a quarter of the lease at the configured pace."""
        return max(1, min(MAX_BATCH, int(self.rate_per_second * self.lease.total_seconds() / 4)))

    def backoff_after(self, attempts: int) -> timedelta:
        """Exponential backoff: backoff, 2×, 4× … capped at backoff_max."""
        return timedelta(seconds=min(self.backoff_max, self.backoff * 2 ** max(0, attempts - 1)))


@dataclass
class DrainReport:
    """What one drain did."""

    sent: int = 0
    reconciled: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    rate_limited: int = 0
    lost_lease: int = 0
    paused: str | None = None
    posts: int = 0
    elapsed: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for logs and the CLI."""
        text = (f"sent={self.sent} reconciled={self.reconciled} retried={self.retried} failed={self.failed} "
                f"cancelled={self.cancelled} rate_limited={self.rate_limited} posts={self.posts} "
                f"elapsed={self.elapsed:.1f}s")
        return text + (f" PAUSED({self.paused})" if self.paused else "")


def new_owner() -> str:
    """A lease owner id unique to this process and sender."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


def sending_client(token: str | None, base_url: str, timeout: int = 10) -> WebClient:
    """A client that never retries by itself: a blind retry of chat.postMessage can post twice."""
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=[])


MAX_BATCH = 100  # rows per claim at most (so that several senders share a backlog)
HEADROOM = 0.98  # pace at 98% of the allowed rate: network jitter must not push a second over (a 429 costs ≥ 1 s)


class Pacer:
    """Evenly spaced calls just under `rate` per second; a 429 pushes the next call back."""

    def __init__(self, rate: float, monotonic: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self.interval, self.monotonic, self.sleep = 1.0 / (rate * HEADROOM), monotonic, sleep
        self.next_at = monotonic()

    def wait(self) -> None:
        """Sleep until the next call may go."""
        delay = self.next_at - self.monotonic()
        if delay > 0:
            self.sleep(delay)
        self.next_at = max(self.next_at, self.monotonic()) + self.interval

    def hold(self, seconds: float) -> None:
        """Nothing goes for `seconds` (Retry-After)."""
        self.next_at = max(self.next_at, self.monotonic() + seconds)
