"""One notification: what happened to which agent, in the words and fields every channel uses."""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, field


class NotifyKind(enum.Enum):
    """What the person is told about; the config chooses channels per kind."""

    APPROVAL = "approval"  # a dialog waits for the person's answer
    BLOCKED = "blocked"  # an error the agent cannot get past alone
    LIMIT = "limit"  # a usage or quota limit, with its reset time when known
    STUCK = "stuck"
    EXITED = "exited"
    DONE = "done"  # a turn finished and nothing is queued behind it
    RULE = "rule"  # a rule acted on the person's behalf
    TEST = "test"  # `orchestra notify test`


@dataclass(frozen=True)
class NotifyEvent:
    kind: NotifyKind
    agent: str
    state: str  # the state word the app shows ("approval", "blocked", …)
    reason: str  # in plain words
    # One occurrence, stable across restarts (the journal's alert key): a channel is told of an
    # occurrence once.
    key: str
    host: str = "local"
    lane: str = ""
    issue: int | None = None
    excerpt: str = ""  # the command a dialog asks about, the failing check, the reset time
    at: str = ""  # ISO 8601, when it was seen
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        where = self.agent if self.host == "local" else f"{self.agent}@{self.host}"
        return f"orchestra: {where} {self.state}"

    @property
    def body(self) -> str:
        lane = f"{self.lane} " if self.lane else ""
        issue = f"#{self.issue} " if self.issue is not None else ""
        parts = [f"{lane}{issue}{self.reason}".strip()]
        if self.excerpt:
            parts.append(self.excerpt)
        return "\n".join(parts)

    def to_json(self) -> str:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["title"], data["body"] = self.title, self.body
        return json.dumps(data, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Delivery:
    """What one channel did with one event. `error` never holds a secret of the channel."""

    channel: str
    ok: bool
    error: str = ""
