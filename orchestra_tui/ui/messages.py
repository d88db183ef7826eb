"""Past-tense messages that flow up from widgets and screens to the screens and the app.

Screens never call the app: they say what the person did, and the app (through the controller
that owns that kind of work) acts on it. Each message here has an `on_…` handler on the app;
tests/test_ui_messages.py fails when one has none, so a misspelt handler is found by the tests,
not by pressing its key."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from orchestra_tui.core.desk.desk import InboxEntry, LoopEntry
from orchestra_tui.core.review import ReviewTarget
from orchestra_tui.diff_models import Diff, LineComment
from orchestra_tui.models import Issue, PullRequest

# -- the fleet screen's own widgets ---------------------------------------------------------------


@dataclass
class PromptSubmitted(Message):
    """The person finished a prompt: send it now, or add it to the agent's queue."""

    agent: str
    text: str
    queue: bool


@dataclass
class PromptClosed(Message):
    """The prompt bar closed: the fleet gets the keyboard back."""


@dataclass
class SelectionMoved(Message):
    """The fleet screen's selection moved to `agent` (None: the fleet is empty): the app
    reads that agent's pane with its history.

    The table tells the screen in the key's own handler (`AgentTable.on_selected`); the screen
    tells the app with this message."""

    agent: str | None


# -- what the person asked of one agent (the fleet and queue screens) -----------------------------


@dataclass
class QueueOpened(Message):
    agent: str


@dataclass
class GridOpened(Message):
    """`g`: every pane at once; the grid takes the fleet's filter (`/`) as it stands."""

    filter_text: str = ""
    issues: dict[str, str] | None = None  # agent -> "#90", what `issue` matches


@dataclass
class DialogAnswered(Message):
    """`y` or `n` on the agent's permission dialog."""

    agent: str
    approve: bool


@dataclass
class InterruptConfirmed(Message):
    """The interrupt key pressed the second time: stop the agent's turn."""

    agent: str


@dataclass
class AlertsSeen(Message):
    agent: str


@dataclass
class AttachAsked(Message):
    agent: str


@dataclass
class PauseToggled(Message):
    agent: str


@dataclass
class BudgetResumeAsked(Message):
    """The person lets a lane's queues go on past its daily budget for the rest of the day."""

    lane: str


@dataclass
class RestartAsked(Message):
    agent: str


@dataclass
class SubmitAgainAsked(Message):
    """Enter again for an unsubmitted prompt (`s` in `Q`): the fleet checks the composer still
    holds it and never retypes it."""

    agent: str
    item_id: str


@dataclass
class KillAsked(Message):
    agent: str


@dataclass
class PolicyReminderAsked(Message):
    agent: str


@dataclass
class NudgeAsked(Message):
    agent: str


@dataclass
class NewAgentAsked(Message):
    """`N`: a new agent, its lane preset to the selected agent's (empty: none)."""

    lane: str


@dataclass
class RetireAsked(Message):
    agent: str


# -- the queue editor ------------------------------------------------------------------------------


@dataclass
class PromptQueued(Message):
    agent: str
    text: str


@dataclass
class QueueItemEdited(Message):
    item_id: str
    text: str


@dataclass
class QueueItemDeleted(Message):
    item_id: str


@dataclass
class QueueItemMoved(Message):
    """Moved `delta` places in its queue (negative: towards the front)."""

    item_id: str
    delta: int


@dataclass
class QueueItemMovedTo(Message):
    """Moved to the end of another agent's queue."""

    item_id: str
    agent: str


@dataclass
class QueueItemRequeued(Message):
    """An uncertain item is to be sent again."""

    item_id: str


# -- the GitHub screens ----------------------------------------------------------------------------


@dataclass
class DeskRefreshAsked(Message):
    pass


@dataclass
class BrowserOpenAsked(Message):
    url: str


@dataclass
class ReviewQueued(Message):
    """A review thread goes to `agent`'s queue as a prompt."""

    entry: InboxEntry
    agent: str


@dataclass
class LoopItemQueued(Message):
    """A PR-loop item (failed check, conflict, stale base, blocking review) goes to `agent`'s
    queue as a prompt."""

    entry: LoopEntry
    agent: str


@dataclass
class ReviewResolved(Message):
    entry: InboxEntry


@dataclass
class ReviewSnoozed(Message):
    """Snoozed for `hours` (None: until the thread changes)."""

    entry: InboxEntry
    hours: float | None


@dataclass
class ReviewUnsnoozed(Message):
    entry: InboxEntry


@dataclass
class MergeConfirmed(Message):
    """A squash merge, pinned to the head SHA the gate saw."""

    pr: PullRequest
    gate_sha: str


@dataclass
class AdminMergeConfirmed(Message):
    pr: PullRequest
    gate_sha: str
    reason: str


@dataclass
class BranchUpdateAsked(Message):
    pr: PullRequest


@dataclass
class IssuesWanted(Message):
    """The issues screen needs the lanes' issues read (again)."""


@dataclass
class IssueWanted(Message):
    """The issues screen shows an issue whose comments are not read yet."""

    repo: str
    number: int


@dataclass
class GuidanceWritten(Message):
    repo: str
    number: int
    body: str


@dataclass
class IssueAssigned(Message):
    issue: Issue
    agent: str


@dataclass
class AgentPicked(Message):
    """The person chose to go to `agent` in the fleet (e.g. the one already on an issue)."""

    agent: str


@dataclass
class AgentOnIssueAsked(Message):
    """`N` on the issues screen: a new agent on this issue, in the lane of its repository."""

    issue: Issue


# -- the diff view ------------------------------------------------------------------------------


@dataclass
class DiffAsked(Message):
    """`d` on a pull request (its change as GitHub has it), or `r` on the diff screen (read
    it again): the diff screen of `target`, opened unless it is the one shown."""

    target: ReviewTarget


class DiffLoaded(Message):
    """Posted to the diff screen of `target`: its change was read (`diff`), or could not be
    (`error`); `comments`, when not None, replace the screen's (checked against this diff, or
    emptied once sent)."""

    def __init__(self, target: ReviewTarget, diff: Diff | None, error: str = "",
                 comments: tuple[LineComment, ...] | None = None) -> None:
        super().__init__()
        self.target = target
        self.diff = diff
        self.error = error
        self.comments = comments


@dataclass
class ReviewSubmitted(Message):
    """The comments written on a diff go to the owner: queued (`how` "queue"), typed now
    ("now"), or posted on the PR as review comments ("github")."""

    target: ReviewTarget
    comments: tuple[LineComment, ...]
    how: str
