"""Records and knobs of the fake Slack: calls, directory entries, injected faults, rate limits."""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    """One Web API call as the fake received it (token removed), with what it answered."""

    method: str
    args: dict[str, Any]
    at: float
    status: int = 200
    error: str | None = None


@dataclass
class Violation:
    """A blocks/view argument that broke a Block Kit limit (the call answered invalid_blocks)."""

    method: str
    problems: list[str]


@dataclass
class FakeUser:
    """A workspace member as users.info shows them."""

    id: str
    name: str = ""
    email: str | None = None
    locale: str = "ja-JP"
    deleted: bool = False
    real_name: str = ""
    tz: str = "Asia/Tokyo"
    is_bot: bool = False

    def to_api(self, team_id: str, include_locale: bool) -> dict[str, Any]:
        """The `user` object of users.info (locale only when asked for, as Slack does)."""
        name = self.name or self.id.lower()
        user: dict[str, Any] = {
            "id": self.id, "team_id": team_id, "name": name, "deleted": self.deleted,
            "real_name": self.real_name or name, "tz": self.tz, "tz_label": "Japan Standard Time",
            "tz_offset": 32400, "is_bot": self.is_bot, "is_app_user": False, "is_admin": False,
            "is_owner": False, "is_restricted": False, "is_ultra_restricted": False, "updated": 1700000000,
            "profile": {"real_name": self.real_name or name, "display_name": name, "team": team_id,
                        **({"email": self.email} if self.email else {})},
        }
        if include_locale:
            user["locale"] = self.locale
        return user


@dataclass
class FakeChannel:
    """A conversation as conversations.info shows it."""

    id: str
    name: str = ""
    is_private: bool = False
    is_archived: bool = False
    members: list[str] = field(default_factory=list)
    user: str | None = None  # the other member of an IM

    @property
    def is_im(self) -> bool:
        return self.id.startswith("D")

    def to_api(self) -> dict[str, Any]:
        """The `channel` object of conversations.info."""
        if self.is_im:
            return {"id": self.id, "created": 1700000000, "is_im": True, "is_org_shared": False,
                    "user": self.user, "is_archived": self.is_archived, "is_user_deleted": False}
        return {
            "id": self.id, "name": self.name or self.id.lower(), "name_normalized": self.name or self.id.lower(),
            "created": 1700000000, "creator": "U0ADMIN", "is_channel": not self.is_private,
            "is_group": self.is_private, "is_im": False, "is_mpim": False, "is_private": self.is_private,
            "is_archived": self.is_archived, "is_general": False, "is_member": True, "is_shared": False,
            "is_ext_shared": False, "is_org_shared": False, "is_pending_ext_shared": False,
            "is_read_only": False, "num_members": len(self.members),
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0}, "previous_names": [],
        }


@dataclass
class Fault:
    """An injected failure answered to the next `times` calls of a method."""

    error: str
    status: int
    retry_after: int | None
    times: int
    body: str | None = None


@dataclass
class RateLimit:
    """A per-method (optionally per-channel) limit over a sliding one-second window, like Slack's tiers."""

    per_second: float
    per_channel: bool = False
    accepted: int = 0
    rejected: int = 0
    _hits: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def admit(self, key: str, now: float | None = None) -> int | None:
        """Count one call: None when accepted, else the Retry-After seconds of the 429."""
        now = time.monotonic() if now is None else now
        hits = self._hits[key if self.per_channel else "*"]
        while hits and now - hits[0] >= 1.0:
            hits.popleft()
        if len(hits) >= self.per_second:
            self.rejected += 1
            return max(1, math.ceil(1.0 - (now - hits[0])))
        hits.append(now)
        self.accepted += 1
        return None


@dataclass
class FakeFile:
    """A file created by files.getUploadURLExternal and filled by the upload POST."""

    id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    channels: list[str] = field(default_factory=list)

    def to_api(self, user: str, created: int) -> dict[str, Any]:
        """The file object of files.completeUploadExternal."""
        ext = self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else "binary"
        return {
            "id": self.id, "created": created, "timestamp": created, "name": self.filename,
            "title": self.title or self.filename, "mimetype": _MIMETYPES.get(ext, "application/octet-stream"),
            "filetype": ext, "user": user, "size": len(self.data or b""), "is_public": bool(self.channels),
            "channels": list(self.channels), "url_private": f"https://files.slack.com/files-pri/{self.id}",
            "permalink": f"https://fake.slack.com/files/{user}/{self.id}/{self.filename}",
        }


_MIMETYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "csv": "text/csv",
              "txt": "text/plain", "pdf": "application/pdf",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
