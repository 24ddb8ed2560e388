"""FakeSlack with hooks around chat.postMessage: act just before or just after Slack stores a message.

What the shared fake cannot do by itself: answer 500 or never answer *after* storing the message (the
response is lost, the message is not), or kill the sending process at an exact point of a post.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from fakeslack import FakeSlack

Answer = tuple[int, dict[str, str], Any]
Hook = Callable[[Answer], Answer | None]  # may replace the answer


class HookedSlack(FakeSlack):
    """FakeSlack whose n-th chat.postMessage can run a hook before it is handled or after it is stored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._before: dict[int, Callable[[], Answer | None]] = {}
        self._after: dict[int, Hook] = {}
        self._posts = 0
        self._hook_lock = threading.Lock()

    def before_post(self, n: int, hook: Callable[[], Answer | None]) -> None:
        """Run `hook` when the n-th post arrives (1-based), before the fake looks at it; an answer replaces it."""
        self._before[n] = hook

    def after_post(self, n: int, hook: Hook) -> None:
        """Run `hook` after the n-th post was handled (stored if it succeeded); an answer replaces Slack's."""
        self._after[n] = hook

    def handle_api(self, method: str, args: dict[str, Any], token: str | None) -> Answer:
        """Count posts and run the hooks around the real handling."""
        if method != "chat.postMessage":
            return super().handle_api(method, args, token)
        with self._hook_lock:
            self._posts += 1
            n = self._posts
        before = self._before.pop(n, None)
        if before is not None:
            replaced = before()
            if replaced is not None:
                return replaced
        answer = super().handle_api(method, args, token)
        after = self._after.pop(n, None)
        if after is not None:
            return after(answer) or answer
        return answer


def server_error(_answer: Answer | None = None) -> Answer:
    """A 500 as Slack answers one."""
    return 500, {}, {"ok": False, "error": "internal_error"}
