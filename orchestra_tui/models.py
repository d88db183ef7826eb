"""Plain frozen dataclasses shared by every layer. No I/O and no Textual here: these are the
nouns the detector, the services, the core and the UI pass to each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from orchestra_tui.pr_facts import Review
from orchestra_tui.receipt import ReceiptStep
from orchestra_tui.usage_limit import UsageLimit


class State(StrEnum):
    """What an agent is doing, as far as the screen and its history tell."""

    WORKING = "working"
    IDLE = "idle"
    APPROVAL = "approval"
    BLOCKED = "blocked"
    STUCK = "stuck"
    EXITED = "exited"
    UNKNOWN = "unknown"
    UNREACHABLE = "unreachable"  # its host (over ssh) does not answer: nothing known or sent


# The order in which agents need the person: lower sorts first in the fleet view.
ATTENTION_ORDER: dict[State, int] = {
    State.APPROVAL: 0,
    State.BLOCKED: 1,
    State.STUCK: 2,
    State.EXITED: 3,
    State.UNREACHABLE: 4,  # the host needs the person, less urgently than an agent does
    State.IDLE: 5,  # idle with an empty queue sorts at 5, idle with a queue at 6
    State.UNKNOWN: 7,
    State.WORKING: 8,
}

NEEDS_PERSON: frozenset[State] = frozenset({State.APPROVAL, State.BLOCKED, State.STUCK,
                                            State.EXITED})


@dataclass(frozen=True)
class DialogKey:
    """Which dialog is open: the identity `y`/`n` check before answering, never display text.

    Read from a screen, it is the tool, the dialog's kind (its profile's name for it: `exec`,
    `edit`, `question`, ...), what it asks about (`subject`: the rows above its options, e.g. the
    command and the question, spaces collapsed) and its `options` (cursor marks removed, so
    moving the highlight is the same dialog). From a hook event alone (the dialog not drawn yet)
    it is the tool and the event's time (`hook_at`): the screen cannot be compared with it, only
    a newer permission event can tell that another dialog opened.

    >>> shown = DialogKey("claude", "exec", "Bash command rm -rf x Do you want to proceed?",
    ...                   ("1. Yes", "2. No"))
    >>> shown.answers(DialogKey("claude", "exec", shown.subject, ("1. Yes", "2. No")))
    True
    >>> shown.answers(DialogKey("claude", "exec", "Bash command rm -rf y Do you want to proceed?",
    ...                         ("1. Yes", "2. No")))
    False
    >>> DialogKey("claude", hook_at=10.0).answers(shown)
    True
    """

    tool: str
    kind: str | None = None
    subject: str = ""
    options: tuple[str, ...] = ()
    hook_at: float | None = None

    @property
    def from_screen(self) -> bool:
        return bool(self.subject or self.options)

    def answers(self, now: DialogKey | None) -> bool:
        """Whether `now` (read from the screen just before the answer) is this dialog."""
        if now is None or (self.tool and now.tool and self.tool != now.tool):
            return False
        if not self.from_screen:
            return True  # shown from a hook event: the caller compares newer hook events
        return (self.kind, self.subject, self.options) == (now.kind, now.subject, now.options)


class ContextTrend(StrEnum):
    FALLING = "falling"
    FLAT = "flat"
    RISING = "rising"  # after a compaction or a restart
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class AgentSpec:
    """One `[[agent]]` table of the config: how to find, start and direct one agent."""

    name: str
    tool: str = "auto"  # codex, claude, gemini, aider, shell or auto
    command: str = ""
    cwd: str = ""
    repo: str = ""  # owner/name
    branch: str = "*"  # glob of its PR head branches
    target: str = ""  # tmux session, session:window, or %pane_id
    policy: str = ""
    forbid: tuple[str, ...] = ()
    enforce: bool = False  # deny forbidden commands in the pre-tool hook (else: alerts)
    host: str = ""  # a `[[host]]` name: the agent runs on that machine's tmux; "" is this one
    lane: str = ""  # the `[[lane]]` it was made from, if any
    resume_after_limit: bool = False  # send the tool's "continue" when a usage limit resets
    resume_per_day: int = 3
    auto_approve: tuple[str, ...] = ()  # commands whose dialogs orchestra approves (parsed)


@dataclass(frozen=True)
class LaneSpec:
    """One `[[lane]]` table: a template for agents that work on one repository, each in its own
    worktree of the local clone `path`, on a branch matching `branch` (e.g. `codex/*`)."""

    name: str
    repo: str = ""  # owner/name on GitHub
    path: str = ""  # the local clone new agents' worktrees come from
    branch: str = "*"  # head-branch pattern: a new agent's branch is it with `*` filled in
    tool: str = "auto"
    command: str = ""
    policy: str = ""
    forbid: tuple[str, ...] = ()
    enforce: bool = False
    host: str = ""  # a `[[host]]`: the clone, new worktrees and sessions are there ("" here)
    resume_after_limit: bool = False
    resume_per_day: int = 3
    auto_approve: tuple[str, ...] = ()
    autoroute: tuple[str, ...] = ()  # inbox kinds sent to the owner unasked: ci, conflict, ...
    behind_limit: int | None = None  # commits behind its base before a branch is an item
    budget_per_day: float | None = None  # US dollars its agents may spend a day (None: any)


@dataclass(frozen=True)
class AgentRecord:
    """An agent `orchestra new` started, as recorded: how to find and start it (`spec`, whose
    `cwd` is its worktree) and where its work lives."""

    spec: AgentSpec
    clone: str = ""  # the lane's clone the worktree belongs to
    worktree: str = ""
    branch: str = ""  # the branch created for it
    base: str = ""  # the ref it started from (`origin/main`): ahead/behind count against it
    start: str = ""  # the commit it started from: a branch still there has no work to merge
    issue: int | None = None
    created_at: float = 0.0

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class BranchFigures:
    """An agent's work at a glance: its branch, commits ahead/behind its base, and what changed
    since it left the base (uncommitted edits included)."""

    branch: str = ""
    base: str = ""
    ahead: int | None = None
    behind: int | None = None
    files_changed: int | None = None
    insertions: int | None = None
    deletions: int | None = None
    merged: bool = False  # its own commits are in its base (as last fetched): retire it


@dataclass(frozen=True)
class Detection:
    """What one screen says, read by `agents.classify` from text alone."""
    tool: str
    state: State
    context_left: int | None = None
    queued: int | None = None
    reason: str = ""
    # The working row's elapsed seconds, when shown: a frozen spinner (stuck) tells by it.
    elapsed_seconds: int | None = None
    background: bool = False  # a shell keeps running after the turn (a sub-flag, not a state)
    dialog: str | None = None  # the open dialog's kind (approval): which answer keys to send
    # Which dialog it is (kind, what it asks, its options): what an answer is checked against.
    dialog_key: DialogKey | None = None
    interrupted: bool = False  # idle on the tool's own interrupt notice (Esc, ^C)
    # Blocked on a usage limit: the reset time as printed ("2:51 PM", "in 4 days 6 hours").
    resumes_at: str | None = None
    limit: str | None = None  # blocked on an account limit: "usage limit" or "quota"
    # The reader's rule that decided and the (row index, text) rows it matched, newest last.
    rule: str = ""
    evidence: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class PaneInfo:
    """One tmux pane as `list-panes -a` describes it."""

    pane_id: str  # "%12"
    pid: int
    session_name: str
    window_index: int
    pane_index: int
    current_command: str
    current_path: str
    title: str
    dead: bool
    activity: int  # window_activity, seconds since the epoch
    width: int
    height: int
    in_mode: bool = False  # copy-mode: a capture shows scrolled text, not the live screen
    dead_status: int | None = None
    alternate: bool = False  # in the alternate screen: what scrolls off keeps no history
    # The `[[host]]` it is on ("" for the local server); a remote pane's id is "host:%12".
    host: str = ""
    # The pane option its agent's hooks set ("EVENT N", `services.hooks_marks`); "" unset.
    hook_mark: str = ""
    history_size: int = 0  # rows scrolled off its screen and kept (what `-S -N` reaches)
    history_limit: int = 0  # the most it keeps: at it, each new row drops the oldest

    @property
    def target(self) -> str:
        return f"{self.session_name}:{self.window_index}.{self.pane_index}"


@dataclass(frozen=True)
class SendResult:
    """How a delivery ended. Not `delivered` but `uncertain`: the body went in, submission
    unconfirmed; it is never re-sent automatically."""

    delivered: bool
    enter_presses: int = 0
    uncertain: bool = False
    detail: str = ""


class QueueItemState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    UNCERTAIN = "uncertain"  # found `sending` after a crash, or submission unconfirmed


@dataclass(frozen=True)
class QueueItem:
    id: str
    agent: str
    text: str
    state: QueueItemState = QueueItemState.QUEUED
    created_at: float = 0.0
    sent_at: float | None = None
    source: str = ""  # "person", "inbox:<thread id>", "issue:#12", "handoff"
    receipt: tuple[ReceiptStep, ...] = ()  # its delivery steps, oldest first (receipt.py)


@dataclass(frozen=True)
class AgentStatus:
    """An agent as the core sees it after a tick: the row the fleet view and `status` show."""

    name: str
    pane_id: str | None
    tool: str
    state: State
    reason: str
    context_left: int | None = None
    context_trend: ContextTrend = ContextTrend.UNKNOWN
    queued: int | None = None  # prompts the agent itself holds in its own queue
    since: float = 0.0  # when it entered this state
    alerts: tuple[str, ...] = ()
    spec: AgentSpec | None = None
    background: bool = False
    dialog: str | None = None
    source: str = "screen"  # "hook" when the agent's own hook event decided the state
    # The dialog the person is shown (approval only): `y`/`n` answer only that one.
    dialog_key: DialogKey | None = None
    unreachable: str = ""  # why its host does not answer (state unreachable), as ssh said
    limit: UsageLimit | None = None  # blocked on a usage or quota limit

    @property
    def needs_person(self) -> bool:
        return self.state in NEEDS_PERSON


# -- GitHub -----------------------------------------------------------------------------------


class CheckState(StrEnum):
    PASSING = "passing"
    FAILING = "failing"
    PENDING = "pending"
    NEUTRAL = "neutral"  # skipped, neutral: neither blocks nor proves


@dataclass(frozen=True)
class Check:
    name: str
    state: CheckState
    required: bool = False
    url: str = ""


@dataclass(frozen=True)
class ReviewThread:
    id: str  # GraphQL node id, used to resolve
    repo: str
    pr_number: int
    path: str
    line: int | None
    author: str
    author_is_bot: bool
    body: str
    url: str
    created_at: str  # ISO 8601
    severity: str | None = None  # lowercase word: critical, high, major, medium, minor, low
    is_outdated: bool = False
    is_resolved: bool = False
    comment_id: str = ""  # its first comment's node id: what routes it once


@dataclass(frozen=True)
class PullRequest:
    repo: str  # owner/name
    number: int
    title: str
    url: str
    head_ref: str
    head_sha: str
    base_ref: str
    author: str = ""
    is_draft: bool = False
    review_decision: str | None = None  # APPROVED, CHANGES_REQUESTED, REVIEW_REQUIRED or None
    mergeable: str = "UNKNOWN"  # MERGEABLE, CONFLICTING, UNKNOWN
    merge_state: str = "UNKNOWN"  # mergeStateStatus: CLEAN, BEHIND, BLOCKED, DIRTY, ...
    behind_by: int | None = None
    checks: tuple[Check, ...] = ()
    threads: tuple[ReviewThread, ...] = ()  # unresolved, non-outdated
    resolved_threads: tuple[ReviewThread, ...] = ()  # resolved, non-outdated
    reviews: tuple[Review, ...] = ()  # each reviewer's latest
    agent: str | None = None  # owning agent's name, by lane
    updated_at: str = ""


@dataclass(frozen=True)
class Gate:
    """The merge gate's verdict on one PR at one head SHA."""

    ready: bool
    reasons: tuple[str, ...]
    head_sha: str


@dataclass(frozen=True)
class RateLimit:
    remaining: int | None = None
    limit: int | None = None
    reset_at: float | None = None  # epoch seconds
    last_cost: int | None = None  # GraphQL cost of the last query


@dataclass(frozen=True)
class Issue:
    repo: str
    number: int
    title: str
    body: str
    url: str
    author: str = ""
    labels: tuple[str, ...] = ()
    comments: tuple[IssueComment, ...] = ()


@dataclass(frozen=True)
class IssueComment:
    author: str
    body: str
    created_at: str


@dataclass(frozen=True)
class MergeOutcome:
    merged: bool
    sha: str | None = None
    message: str = ""
    status: int | None = None  # HTTP status GitHub answered


@dataclass(frozen=True)
class Alert:
    agent: str
    kind: str  # "forbid", "loop", "context"
    text: str
    at: float = field(default=0.0)
    # One occurrence (the offending row and the one above, a context level): kept by the
    # journal, so that no later run raises it again.
    key: str = ""
