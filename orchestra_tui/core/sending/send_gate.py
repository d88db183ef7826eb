"""The send gate: the one place where orchestra types text into an agent.

Every write of text to an agent (send now, queue dispatch, the policy reminder, the restart
handoff, inbox and issue sends through the queue, re-sending an uncertain item, `orchestra send`)
comes here. Typing into the wrong screen is how a prompt approves `terraform destroy`: in a
permission dialog a "1" or an Enter picks an option, in a shell the text runs as a command. So
immediately before the first byte the gate reads the pane afresh (its foreground program, dead
and copy-mode flags, and its screen, in one tmux call; never the last poll) and types only into
a composer that is ready for input: `idle`, or `working` for a tool whose composer takes a
prompt while it works. It reads again before every Enter press, because Enter is what answers a
dialog that opened while the text went in. Anything else is refused with the reason, and a
refused send reports no success and writes no `prompt_sent`.

A composer that already holds text someone typed and did not submit (the person attached to
the pane, or an earlier send whose Enter never landed) is refused too: orchestra's text would be
appended to that draft and both submitted as one prompt. That is read before the first byte
only; from then on the text in the composer is orchestra's own.

>>> refusal(State.APPROVAL, 'approval: "Bash(terraform destroy)" dialog', agent="api")
'api needs approval: not sent (approval: "Bash(terraform destroy)" dialog)'
>>> draft = "please refactor the auth module"
>>> print(SendRefused("api", State.IDLE, draft_reason(draft), draft=draft))
api's prompt box holds unsent text: "please refactor the auth module"; not sent
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from functools import partial

from orchestra_tui import agents
from orchestra_tui.agents.draft import composer_draft, composer_runs_shell
from orchestra_tui.agents.inert import inert_prompt
from orchestra_tui.agents.names import is_agent_tool, shell_name
from orchestra_tui.agents.profiles import PROFILES
from orchestra_tui.agents.text import clip
from orchestra_tui.agents.turn_start import composer_shown, is_short, turn_started
from orchestra_tui.core.ansi import strip_ansi
from orchestra_tui.core.state_words import STATE_PHRASES
from orchestra_tui.errors import OrchestraError, TmuxCommandError, TmuxUnavailable
from orchestra_tui.models import Detection, PaneInfo, SendResult, State
from orchestra_tui.services.tmux.pane_lock import PaneBusy
from orchestra_tui.services.tmux.port import TmuxPort

# Why a working agent refuses: most tools' composers take no prompt while they work.
_WORKING_REFUSED = " and its composer takes no input"


DRAFT_REASON = "its prompt box holds unsent text: "
_DRAFT_WORDS = 48


def draft_reason(draft: str) -> str:
    """The refusal's reason for a composer holding `draft`: its first words, quoted."""
    return f'{DRAFT_REASON}"{clip(draft, _DRAFT_WORDS)}"'


class Refusal(tuple[State, str]):
    """(state, reason) of a refusal, as `judge` returns it; `draft` is the unsent text in the
    prompt box when that is what refused it (its kind, as a field: never read back from the
    reason's words)."""

    draft: str

    def __new__(cls, state: State, reason: str, draft: str = "") -> Refusal:
        made = super().__new__(cls, (state, reason))
        made.draft = draft
        return made


def refusal(state: State, reason: str, *, agent: str, draft: str = "") -> str:
    if draft:
        return f"{agent}'s prompt box holds unsent text: \"{clip(draft, _DRAFT_WORDS)}\"; not sent"
    phrase = STATE_PHRASES.get(state, f"is {state}") + (
        _WORKING_REFUSED if state is State.WORKING else "")
    return f"{agent} {phrase}: not sent ({reason})"


class SendRefused(OrchestraError):
    """The gate would not type: the pane was not a composer ready for input. `typed` is True
    only when the screen changed under a send already typed (the body went in, no Enter was
    pressed): the text may sit in the pane and must not be sent again unasked."""

    def __init__(self, agent: str, state: State, reason: str, *, typed: bool = False,
                 draft: str = "") -> None:
        message = refusal(state, reason, agent=agent, draft=draft)
        if typed:
            message = (f"{agent} changed while the text went in ({reason}): it was typed but "
                       "Enter was not pressed; look at the pane")
        super().__init__(message)
        self.agent = agent
        self.state = state
        self.reason = reason
        self.typed = typed
        self.draft = draft  # the unsent text in the prompt box that refused it, if that did


@dataclass(frozen=True)
class Reading:
    """The pane as the gate read it just now."""

    pane: PaneInfo
    detection: Detection
    screen: str = ""  # the visible rows, plain text
    coloured: str = ""  # the same rows as captured with `-e` ("" when not read that way)


def foreground_shell(pane: PaneInfo) -> str | None:
    return shell_name(pane.current_command or "")


def judge(reading: Reading, tool: str | None, *, to_shell: bool = False,
          tracked: State | None = None, text: str = "",
          before_typing: bool = True, allow_blocked: bool = False) -> Refusal | None:
    """`_judge` (below), its refusal typed."""
    found = _judge(reading, tool, to_shell=to_shell, tracked=tracked, text=text,
                   before_typing=before_typing, allow_blocked=allow_blocked)
    return found if found is None or isinstance(found, Refusal) else Refusal(*found)


def text_refusal(text: str) -> str | None:
    """Why `text` can never go to an agent's composer as it stands (whatever the agent's
    state: queueing it changes nothing), or None."""
    if text.lstrip().startswith("!"):
        return 'a prompt that starts with "!" runs as a shell command in the agent\'s composer'
    return None


def _judge(reading: Reading, tool: str | None, *, to_shell: bool = False,
           tracked: State | None = None, text: str = "",
           before_typing: bool = True, allow_blocked: bool = False) -> tuple[State, str] | None:
    """None when the composer takes text now; otherwise (state, reason) of the refusal.

    `tool` is the agent's tool as configured or recognised (None: read it from the screen);
    `to_shell` allows a plain shell at its prompt (`orchestra send --to-shell`); `tracked` is
    the state the poll loop holds, for what one screen cannot show (stuck); `text` is what would
    be typed (a leading `!` switches the agents' composers to their shell mode);
    `before_typing` False once orchestra typed its text (the composer then holds it);
    `allow_blocked` takes a blocked agent whose composer is on screen (`send --nudge`)."""
    pane, detection = reading.pane, reading.detection
    if pane.dead:
        return State.EXITED, "its pane is dead"
    if pane.in_mode:
        return State.UNKNOWN, "its pane is in copy mode (someone is scrolling it)"
    shell = foreground_shell(pane)
    agent_tool = tool if is_agent_tool(tool) else (
        detection.tool if is_agent_tool(detection.tool) else None)
    if shell is not None:
        # The shell itself in the foreground is at its prompt: what is typed runs as a command.
        if to_shell:
            return None
        if agent_tool is not None:
            return State.EXITED, (f"{shell} is in the foreground, {agent_tool} is gone "
                                  "(--to-shell types into the shell anyway)")
        return State.EXITED, (f"a plain {shell} is in the foreground: it would run the text "
                              "as a command (--to-shell sends it anyway)")
    if detection.tool == "shell":
        if to_shell and detection.state is State.IDLE:
            return None
        return State.EXITED, ("a shell prompt is on screen: it would run the text as a "
                              "command (--to-shell sends it anyway)")
    state = detection.state
    if state in (State.IDLE, State.WORKING):
        if composer_runs_shell(reading.screen):
            return State.IDLE, ('its composer is in bash mode ("!"): the text would run as a '
                                "shell command; leave bash mode in the pane first")
        if agent_tool is not None and (why := text_refusal(text)) is not None:
            return State.IDLE, why
    if state is State.IDLE or (state is State.BLOCKED and allow_blocked
                               and composer_shown(reading.screen)):
        return _draft_verdict(reading, state, before_typing)
    if state is State.WORKING:
        if tracked is State.STUCK:
            return State.STUCK, "its working row has not moved for a long time"
        profile = PROFILES.get(detection.tool)
        if profile is not None and profile.types_while_working:
            return _draft_verdict(reading, state, before_typing)
        return State.WORKING, f"{detection.tool} takes no prompt while it works"
    return state, detection.reason or str(state)


def _draft_verdict(reading: Reading, state: State,
                   before_typing: bool) -> tuple[State, str] | None:
    if not before_typing:
        return None
    draft = composer_draft(reading.coloured)
    return Refusal(state, draft_reason(draft), draft) if draft else None


class SendGate:
    """Reads a pane afresh and types only into a ready composer.

    `tmux` is the TmuxService (or any object with `read_pane`, `hold_pane` and `send_text`)."""

    def __init__(self, tmux: TmuxPort) -> None:
        self.tmux = tmux

    async def read(self, pane_id: str, tool: str | None) -> Reading:
        pane, screen = await self.tmux.read_pane(pane_id)
        plain = strip_ansi(screen)
        if pane.height:
            plain = "\n".join(plain.split("\n")[-pane.height:])
        detection = agents.classify(plain, tool if tool in PROFILES else None)
        return Reading(pane=pane, detection=detection, screen=plain, coloured=screen)

    async def check(self, agent: str, pane_id: str, tool: str | None, *,
                    to_shell: bool = False, tracked: State | None = None,
                    typed: bool = False, text: str = "", allow_blocked: bool = False) -> Reading:
        """Raise `SendRefused` unless the pane's composer takes text right now."""
        try:
            reading = await self.read(pane_id, tool)
        except TmuxCommandError as error:
            raise SendRefused(agent, State.EXITED, str(error), typed=typed) from None
        except TmuxUnavailable as error:
            # No answer from its server (a host over ssh that is down): nothing is typed.
            state = State.UNREACHABLE if ":%" in pane_id else State.EXITED
            raise SendRefused(agent, state, str(error), typed=typed) from None
        verdict = judge(reading, tool, to_shell=to_shell, tracked=tracked,
                        text="" if typed else text, before_typing=not typed,
                        allow_blocked=allow_blocked)
        if verdict is not None:
            state, reason = verdict
            raise SendRefused(agent, state, reason, typed=typed, draft=verdict.draft)
        return reading

    async def send(self, agent: str, pane_id: str, text: str, tool: str | None, *,
                   to_shell: bool = False, tracked: State | None = None,
                   before_first_byte: Callable[[], Awaitable[None]] | None = None,
                   allow_blocked: bool = False, left_in_composer: Sequence[str] = ()
                   ) -> SendResult:
        """Type `text` with the verified recipe, gated before the body and before each Enter.

        The text is made inert first (`agents.inert`: no byte of it acts as a key) and judged
        as it will be typed. The pane's writer lock (`tmux.hold_pane`, across processes) is
        held from the fresh read to the last Enter: a send that finds it taken waits its turn,
        and past the wait is refused (`SendBusy`).

        `before_first_byte` runs after the gate passed and before anything is typed (the queue
        marks its item `sending` there, so a crash from then on is never a silent resend).
        `left_in_composer`: prompts orchestra typed whose Enter did not submit them
        (`core.receipts`): one still in the composer is a draft, whatever its colours say."""
        text = inert_prompt(text)
        async with self.holding(agent, pane_id):
            return await self._send_held(agent, pane_id, text, tool, to_shell=to_shell,
                                         tracked=tracked, before_first_byte=before_first_byte,
                                         allow_blocked=allow_blocked,
                                         left_in_composer=left_in_composer)

    @asynccontextmanager
    async def holding(self, agent: str, pane_id: str) -> AsyncIterator[None]:
        """The pane's writer lock, for anything that writes to it (a prompt, an answer's keys):
        one writer at a time, across processes and hosts; past the wait `SendBusy`."""
        async with AsyncExitStack() as held:
            try:
                await held.enter_async_context(self.tmux.hold_pane(pane_id))
            except PaneBusy as busy:
                raise SendBusy(agent, str(busy)) from None
            except TmuxUnavailable as error:
                state = State.UNREACHABLE if ":%" in pane_id else State.EXITED
                raise SendRefused(agent, state, str(error)) from None
            yield

    async def _send_held(self, agent: str, pane_id: str, text: str, tool: str | None, *,
                         to_shell: bool, tracked: State | None,
                         before_first_byte: Callable[[], Awaitable[None]] | None,
                         allow_blocked: bool = False,
                         left_in_composer: Sequence[str] = ()) -> SendResult:
        reading = await self.check(agent, pane_id, tool, to_shell=to_shell, tracked=tracked,
                                   text=text, allow_blocked=allow_blocked)
        for left in left_in_composer:
            if agents.draft_pending(reading.screen, inert_prompt(left)):
                raise SendRefused(agent, reading.detection.state, draft_reason(left), draft=left)
        resolved = tool if tool in PROFILES else reading.detection.tool
        shell_send = to_shell and (foreground_shell(reading.pane) is not None
                                   or reading.detection.tool == "shell")
        pending = _never_pending if shell_send else agents.draft_pending
        # Into an idle agent a short prompt's turn starting proves it submitted (it may be a
        # piece of the placeholder the emptied composer shows: "do", "Codex").
        turn = None
        if not shell_send and reading.detection.state is State.IDLE and is_short(text):
            turn = partial(turn_started, tool=resolved)
        if before_first_byte is not None:
            await before_first_byte()
        started = False

        async def guard(step: str) -> None:
            nonlocal started
            if step == "type":
                started = True
                return  # read just above, as close to the first byte as one call allows
            await self.check(agent, pane_id, resolved, to_shell=to_shell, tracked=tracked,
                             typed=started, allow_blocked=allow_blocked)

        return await self.tmux.send_text(pane_id, text, pending=pending, guard=guard,
                                         started=turn)


class SendBusy(SendRefused):
    """Another send held the pane's writer lock past the wait: nothing was typed."""

    def __init__(self, agent: str, reason: str) -> None:
        super().__init__(agent, State.UNKNOWN, reason)
        self.args = (f"{agent}: not sent, {reason}; try again",)


def _never_pending(screen: str, text: str) -> bool:
    # A shell echoes the command and prints after it: no composer holds a draft.
    return False
