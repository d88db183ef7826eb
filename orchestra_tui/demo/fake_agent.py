"""A simulated agent CLI for the demo and the tests: it looks like Codex or Claude Code, runs
nothing, and logs every prompt it is given.

    python -m orchestra_tui.demo.fake_agent --flavor codex|claude|tinker [--log FILE]
        [--work-seconds N] [--context START] [--name NAME] [--bold-prompt] [--realism real]
        [--hook COMMAND [--session-start]]

A submitted prompt is appended to the log as one JSON line `{"at", "prompt", "name", "arrived"}`
("arrived": "idle", or "working" when the agent had queued it), then the agent "works" for
--work-seconds. Directives in a prompt script every state:
`[approve]` / `[approve CMD]` asks for approval mid-turn, `[freeze]` shows a working row whose
counter never moves, `[error]` ends the turn blocked on a real error, `[limit]` on the tool's
usage-limit notice, `[work N]` works N seconds, `[print TEXT]` prints TEXT into the history,
`[context N]` sets the context left; `/exit` quits. Quoted lines (`> …`) are data, never
directives.
Enter while working queues the prompt; queued prompts go in after the turn. The composer shows
its placeholder dim and typed text in the normal colour, as the real CLIs do; ctrl-u (or
ctrl-c) clears a draft; --swallow-enters N ignores the first N Enter presses on a typed prompt
(the lost Enter every tmux orchestrator meets). --bold-prompt draws the prompt glyphs bold as
Codex does, so a capture with colours carries attributes even when no placeholder is shown.
--realism real draws as the real CLIs do (`fake_realism`): 10 frames a second while working,
streamed bursts, silent idle; the default (calm) redraws the whole screen once a second.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import selectors
import shlex
import signal
import subprocess
import sys
import termios
import time
import tty
from dataclasses import dataclass, field

from orchestra_tui.demo import fake_realism as realism
from orchestra_tui.demo import fake_screens as screens
from orchestra_tui.demo import fake_tinker as tinker
from orchestra_tui.demo.fake_keys import Keyboard

_PROMPT_GLYPH = re.compile("^([›❯])(?=[ \xa0])")
VERBS = ("Pondering", "Wrangling", "Cogitating", "Seasoning", "Percolating")


def directives_of(prompt: str) -> str:
    """The prompt's lines that can script the agent: quoted lines (`> …`, how orchestra
    hands over a CI log or a review thread) are data, so a log's own `##[error]` marker
    does not end the turn blocked.

    >>> directives_of("Fix it [work 2]\\n> ##[error]Process completed\\nthen [print ok]")
    'Fix it [work 2]\\nthen [print ok]'
    """
    return "\n".join(line for line in prompt.splitlines()
                     if not line.lstrip().startswith(">"))


@dataclass
class Turn:
    prompt: str
    duration: float
    started: float
    verb: str = "Pondering"
    command: str = ""  # the command that asks for approval; "" when none
    approve_at: float | None = None
    freeze: bool = False
    error: bool = False
    limit: bool = False  # ends on the tool's usage-limit notice (`[limit]`)
    paused_for: float = 0.0
    paused_at: float | None = None


@dataclass
class Agent:
    flavor: str
    name: str
    log: str | None
    work_seconds: float
    context: int
    cwd: str = field(default_factory=os.getcwd)
    history: list[str] = field(default_factory=list)
    draft: str = ""
    paste_count: int = 0
    queued: list[str] = field(default_factory=list)
    mode: str = "idle"  # idle, working, approval
    turn: Turn | None = None
    turns: int = 0
    quit_armed: bool = False
    exit_code: int | None = None
    width: int = 80
    # A hook program run on each event with the event as JSON on stdin, as Claude Code runs
    # its settings hooks (UserPromptSubmit, PermissionRequest, Stop); never waited for.
    hook: list[str] = field(default_factory=list)
    running_hooks: list[subprocess.Popen] = field(default_factory=list)
    session_start: bool = False  # fire SessionStart on start, as every CLI orchestra hooks does
    bold_prompt: bool = False
    swallow_enters: int = 0  # Enter presses on a draft still to be ignored (a lost Enter)
    swallow_answers: int = 0  # approving keys on a dialog still to be ignored
    streamer: realism.Streamer | None = None  # only in the realistic mode

    # -- time --------------------------------------------------------------------------------

    def turn_elapsed(self, now: float) -> float:
        turn = self.turn
        if turn is None:
            return 0.0
        if turn.freeze:
            return 3.0
        paused = turn.paused_for + (now - turn.paused_at if turn.paused_at else 0.0)
        return max(0.0, now - turn.started - paused)

    def next_wakeup(self, now: float) -> float | None:
        """Seconds until something changes on its own (the counter, the turn's end)."""
        if self.mode != "working" or self.turn is None or self.turn.freeze:
            return None
        spent = self.turn_elapsed(now)
        frame = realism.until_next_frame(spent) if self.streamer else 1.0 - spent % 1.0
        return max(0.005, min(frame, self.turn.duration - spent))

    def tick(self, now: float) -> None:
        turn = self.turn
        if self.mode != "working" or turn is None or turn.freeze:
            return
        spent = self.turn_elapsed(now)
        if turn.command and turn.approve_at is not None and spent >= turn.approve_at:
            turn.approve_at, turn.paused_at, self.mode = None, now, "approval"
            self.fire("PermissionRequest", tool_name="Bash",
                      tool_input={"command": turn.command})
            self.say(*(["⏺ Bash(" + turn.command + ")", "  ⎿  Running…"]
                       if self.flavor == "claude" else []))
        elif spent >= turn.duration:
            self.finish(now)
        elif self.streamer:
            self.history += self.streamer.lines_due(spent, self.width)
            del self.history[:-realism.HISTORY_ROWS]

    def fire(self, event: str, **fields: object) -> None:
        if not self.hook:
            return
        payload = {"hook_event_name": event, "session_id": f"fake-{self.name}", "cwd": self.cwd,
                   **fields}
        process = subprocess.Popen(self.hook, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        assert process.stdin is not None
        process.stdin.write(json.dumps(payload).encode())
        process.stdin.close()
        self.running_hooks = [p for p in self.running_hooks if p.poll() is None] + [process]

    # -- turns -------------------------------------------------------------------------------

    def say(self, *rows: str) -> None:
        for row in rows:
            self.history += screens.wrap(row, self.width - 1, "  ") if row else [""]

    def submit(self, prompt: str, now: float, arrived: str = "idle") -> None:
        # `arrived` says whether the person's Enter found the agent idle or had to be queued
        # by the agent while it worked: tests prove orchestra waits for idle with it.
        if self.log:
            entry = {"at": time.time(), "prompt": prompt, "name": self.name, "arrived": arrived}
            with open(self.log, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.fire("UserPromptSubmit", prompt=prompt)
        prefix = {"codex": "› ", "tinker": tinker.ECHO}.get(self.flavor, "❯ ")
        self.history += screens.prompt_echo(prefix, prompt, self.width)
        said = directives_of(prompt)
        work = re.search(r"\[work (\d+(?:\.\d+)?)\]", said)
        approve = re.search(r"\[approve(?: ([^\]]+))?\]", said)
        turn = Turn(prompt=prompt, duration=float(work.group(1)) if work else self.work_seconds,
                    started=now, verb=VERBS[self.turns % len(VERBS)],
                    freeze="[freeze]" in said, error="[error]" in said,
                    limit="[limit]" in said)
        if approve:
            turn.command = (approve.group(1) or "git status").strip()
            turn.approve_at = turn.duration / 2
        for text in re.findall(r"\[print ([^\]]*)\]", said):
            self.history.append(screens.fit(text, self.width))
        self.turn, self.mode, self.turns = turn, "working", self.turns + 1
        if self.streamer:
            self.streamer.start(0.0)

    def finish(self, now: float, *, interrupted: bool = False) -> None:
        turn, self.turn, self.mode = self.turn, None, "idle"
        assert turn is not None
        took = screens.elapsed(max(1.0, turn.duration if not interrupted else 1.0), codex=False)
        if self.flavor == "tinker":  # a CLI only a config's [[tool]] describes
            self.say(tinker.STOPPED if interrupted else tinker.ERROR
                     if turn.error or turn.limit else tinker.done(turn.duration), "")
        elif interrupted:
            self.say(screens.CODEX_INTERRUPTED if self.flavor == "codex"
                     else screens.CLAUDE_INTERRUPTED, "")
        elif turn.limit or (turn.error and self.flavor == "codex"):
            self.say(screens.USAGE_LIMIT[self.flavor], "")
        elif turn.error:
            self.say(f"  ⎿  API Error ({screens.CLAUDE_OVERLOADED}) · Retrying in 5 seconds… "
                     "(attempt 10/10)", "", f"⏺ API Error: {screens.CLAUDE_OVERLOADED}", "")
        elif self.flavor == "codex":
            self.say("─ Worked for " + took + " " + "─" * 20, "",
                     f"• Done (fake turn {self.turns}).", "")
        else:
            self.say(f"⏺ Done (fake turn {self.turns}).", "", f"✻ Worked for {took}", "")
        setting = re.search(r"\[context (\d+)\]", turn.prompt)
        self.context = int(setting.group(1)) if setting else max(0, self.context - 5)
        if not interrupted:  # as in Claude Code, an interrupted turn fires no Stop
            self.fire("Stop")
        if self.queued and not (turn.error or turn.limit):
            self.submit(self.queued.pop(0), now, arrived="working")

    def answer(self, approved: bool, now: float) -> None:
        turn = self.turn
        assert turn is not None and turn.paused_at is not None
        turn.paused_for += now - turn.paused_at
        turn.paused_at, self.mode = None, "working"
        if self.flavor == "claude" and self.history[-1:] == ["  ⎿  Running…"]:
            self.history[-1:] = ["  ⎿  (No content)", ""] if approved else []
        if approved and self.flavor == "codex":
            self.say(f"• Ran {turn.command}", "  └ (no output)", "")
        if not approved:
            self.finish(now, interrupted=True)

    # -- keys --------------------------------------------------------------------------------

    def on_key(self, key: str, now: float) -> None:
        if self.mode == "approval":
            yes, no = {"codex": (("enter", "y", "p"), ("escape", "n")),
                       "tinker": (tinker.ALLOW, tinker.DENY)}.get(
                self.flavor, (("enter", "1", "2"), ("escape", "3")))
            if key in yes and self.swallow_answers > 0:
                self.swallow_answers -= 1  # a CLI still binding its dialog's keys
            elif key in yes or key in no:
                self.answer(key in yes, now)
            return
        if key != "ctrl-c":
            self.quit_armed = False
        if key == "enter":
            self.on_enter(now)
        elif key == "backspace":
            self.draft = self.draft[:-1]
        elif key == "ctrl-u":
            self.draft = ""
        elif key in ("escape", "ctrl-c") and self.mode == "working":
            self.finish(now, interrupted=True)
        elif key == "ctrl-c":  # clears a draft; twice on an empty composer quits
            if self.draft:
                self.draft = ""
            elif self.quit_armed:
                self.exit_code = 0
            else:
                self.quit_armed = True
        elif len(key) == 1:
            self.draft += key

    def on_enter(self, now: float) -> None:
        if self.draft and self.swallow_enters > 0:
            self.swallow_enters -= 1  # as a real CLI that missed the key: the draft stays
            return
        prompt, self.draft = self.draft, ""
        if not prompt:
            return
        if prompt.strip() == "/exit":
            self.exit_code = 0
        elif self.mode == "working":
            self.queued.append(prompt)
        else:
            self.submit(prompt, now)

    def on_paste(self, text: str) -> None:
        if self.mode != "approval":
            self.draft += text
            self.paste_count += 1


class Terminal:
    """Raw mode, the alternate screen and bracketed paste, restored on exit."""

    def __init__(self, fd_in: int, fd_out: int, painter: realism.RowPainter | None = None) -> None:
        self.fd_in, self.fd_out, self.painter = fd_in, fd_out, painter
        self.saved = termios.tcgetattr(fd_in)

    def __enter__(self) -> Terminal:
        tty.setraw(self.fd_in)
        os.write(self.fd_out, b"\x1b[?1049h\x1b[?2004h\x1b[?25l\x1b[H\x1b[2J")
        return self

    def __exit__(self, *exc: object) -> None:
        os.write(self.fd_out, b"\x1b[?2004l\x1b[?25h\x1b[?1049l")
        termios.tcsetattr(self.fd_in, termios.TCSADRAIN, self.saved)

    def size(self) -> tuple[int, int]:
        size = os.get_terminal_size(self.fd_out)
        return size.columns, size.lines

    def draw(self, rows: list[str], width: int, height: int) -> None:
        if self.painter:
            os.write(self.fd_out, self.painter.frame(rows, width, height).encode("utf-8"))
            return
        rows = rows[-height:]
        out = [f"\x1b[{n};1H{screens.fit(row, width)}\x1b[0m\x1b[K" for n, row in
               enumerate(rows, 1)]
        if len(rows) < height:
            out.append(f"\x1b[{len(rows) + 1};1H\x1b[J")
        os.write(self.fd_out, "".join(out).encode("utf-8"))


def rows_of(agent: Agent, width: int, now: float) -> list[str]:
    rows = (agent.history + tinker.bottom(agent, width, now) if agent.flavor == "tinker"
            else screens.screen_rows(agent, width, now))
    if agent.bold_prompt:
        rows = [_PROMPT_GLYPH.sub(f"{screens.BOLD}\\1{screens.RESET}", row) for row in rows]
    if agent.streamer and agent.mode == "working":
        rows = realism.animate(rows, agent.flavor, agent.turn_elapsed(now))
    return rows


def run(agent: Agent, fd_in: int = 0, fd_out: int = 1) -> int:
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    stop: list[int] = []
    signal.signal(signal.SIGWINCH, lambda *_: None)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda number, _frame: stop.append(number))
    selector = selectors.DefaultSelector()
    selector.register(fd_in, selectors.EVENT_READ, "input")
    selector.register(wake_r, selectors.EVENT_READ, "signal")
    keyboard = Keyboard()
    with Terminal(fd_in, fd_out, realism.RowPainter() if agent.streamer else None) as terminal:
        if agent.name:
            os.write(fd_out, f"\x1b]2;{agent.name}\x07".encode())
        width, height = terminal.size()
        agent.width = width
        agent.history += (screens.codex_header(agent.cwd, width) if agent.flavor == "codex"
                          else tinker.header(agent.cwd) if agent.flavor == "tinker"
                          else screens.claude_header(agent.cwd))
        terminal.draw(rows_of(agent, width, time.monotonic()), width, height)
        if agent.session_start:
            agent.fire("SessionStart", source="startup")
        while agent.exit_code is None and not stop:
            for key, _ in selector.select(agent.next_wakeup(time.monotonic())):
                if key.data == "signal":
                    os.read(wake_r, 512)
                    continue
                data = os.read(fd_in, 65536)
                if not data:
                    return 0
                for kind, value in keyboard.feed(data):
                    now = time.monotonic()
                    agent.on_paste(value) if kind == "paste" else agent.on_key(value, now)
            now = time.monotonic()
            agent.tick(now)
            width, height = terminal.size()
            agent.width = width
            terminal.draw(rows_of(agent, width, now), width, height)
    return agent.exit_code or 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fake_agent", description=__doc__.split("\n\n")[0])
    # tinker: a made-up CLI, read only through a config's [[tool]] table (`fake_tinker`).
    parser.add_argument("--flavor", choices=("codex", "claude", "tinker"), default="codex")
    parser.add_argument("--log", help="append each submitted prompt here as a JSON line")
    parser.add_argument("--work-seconds", type=float, default=3.0)
    parser.add_argument("--context", type=int, default=100, help="context left at start, in %%")
    parser.add_argument("--name", default="")
    parser.add_argument("--bold-prompt", action="store_true",
                        help="draw the prompt glyphs bold, as Codex does")
    parser.add_argument("--hook", default="",
                        help="a command run on each event with its JSON on stdin (like hooks)")
    parser.add_argument("--session-start", action="store_true",
                        help="fire SessionStart when it starts, as the real CLIs do")
    parser.add_argument("--swallow-enters", type=int, default=0, metavar="N",
                        help="ignore the first N Enter presses on a typed prompt")
    parser.add_argument("--swallow-answers", type=int, default=0, metavar="N",
                        help="ignore the first N approving keys on a dialog (keys not bound yet)")
    parser.add_argument("--realism", choices=("calm", "real"), default="calm",
                        help="real: 10 frames a second while working, streamed text, silent idle")
    args = parser.parse_args(argv)
    if not os.isatty(0):
        print("fake_agent: needs a terminal (run it in a tmux pane)", file=sys.stderr)
        return 2
    agent = Agent(flavor=args.flavor, name=args.name, log=args.log,
                  work_seconds=args.work_seconds, context=args.context,
                  hook=shlex.split(args.hook), session_start=args.session_start,
                  bold_prompt=args.bold_prompt,
                  swallow_enters=args.swallow_enters, swallow_answers=args.swallow_answers,
                  streamer=(realism.Streamer(args.name, args.flavor)
                            if args.realism == "real" else None))
    return run(agent)


if __name__ == "__main__":
    sys.exit(main())
