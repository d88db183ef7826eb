"""The classifier: one screen's text in, a `Detection` out.

The engine is the same for every tool; what differs lives in the profiles. It finds the live
bottom region (after the last user-prompt echo, above and around the composer) and decides in
priority order, first match wins: an account wall (usage limit, sign-in), approval, blocked,
working, idle, unknown. Approval and blocked come before working because their rows can carry
"esc to interrupt" too (pitfall 4). Each decision only counts evidence that nothing newer sits
under: the last anchor on the live screen wins (a turn end under a spinner, a working row under
an answered dialog, a prompt under an error). Pitfall numbers refer to docs/pitfalls.md.
"""

from __future__ import annotations

import re

from orchestra_tui.agents.dialog import approval
from orchestra_tui.agents.figures import context_left, queued
from orchestra_tui.agents.profiles import PROFILES
from orchestra_tui.agents.profiles.base import WALLS
from orchestra_tui.agents.text import Line, Screen, clip, parse_duration
from orchestra_tui.agents.view import Verdict, View, evidence
from orchestra_tui.agents.walls import account_wall
from orchestra_tui.models import Detection, DialogKey, State

_ELAPSED = re.compile(r"[(,·•]\s*(?P<el>(?:\d+h\s?)?(?:\d+m\s?)?\d+s)\b")
_SIGNATURE_ROWS = 90  # rows of a long capture worth scanning to recognise the tool
_SIGNATURE_HEAD = 12
_BLOCKED_ROWS = 20
_WALL_ROWS = 8
_MIN_SCORE = 2
_INTERRUPT_ROWS = 8
_PROMPT_BLOCK = 4  # rows over a line UI's prompt that may still be its own
_RIGHT_ALIGNED = 24  # leading blanks of a row drawn against the right edge


def _blocked(v: View) -> Verdict | None:
    """The newest error row of the live region, unless something newer made it history: a
    new transcript entry, a prompt echo or an interrupt. A working row after it ends a failure
    (a new turn began) but not a retry (the spinner keeps turning while the agent retries)."""
    p, s = v.p, v.s
    for line in v.footer() if p.retrying_footer else ():
        footer = next((mk for mk in p.retrying_footer if mk.search(line.text)), None)
        if footer:
            return Verdict(State.BLOCKED, f'blocked (retrying): {footer.label} '
                                          f'"{clip(line.body)}"', rule="blocked",
                           evidence=evidence(line))
    chrome_from = v.composer.top if v.composer else len(s.lines)
    rows = [ln for ln in s.tail(_BLOCKED_ROWS) if ln.index >= v.live_start
            and not (v.composer and v.composer.top <= ln.index)]
    for line in reversed(rows):
        if any(ne.search(line.text) for ne in p.not_error) or v.is_interrupt(line):
            continue  # a refused slash command, or the person's own interrupt: not a failure
        retry = next((mk for mk in p.retrying if mk.search(line.text)), None)
        marker = retry or next((mk for mk in p.failed if mk.search(line.text)), None)
        if marker is None:
            continue
        for later in s.lines[line.index + 1:chrome_from]:
            if later.blank or any(mk.search(later.text) for mk in (*p.retrying,
                                                                            *p.failed)):
                continue
            if v.status_match(later):
                if retry is None:
                    return None  # a new turn started after the failure
                continue
            if v.is_item(later) or v.is_echo(later) or any(
                    mk.search(later.text) for mk in p.interrupted):
                return None
        how = "retrying" if retry else "failed"
        return Verdict(State.BLOCKED, f'blocked ({how}): {marker.label} "{clip(line.body)}"',
                       rule="blocked", evidence=evidence(line))
    return None


def _working(v: View) -> Verdict | None:
    if v.at_prompt:
        return None
    if v.status:
        line, match = v.status.line, v.status.match
        el = match.groupdict().get("el")
        if el is None and (found := _ELAPSED.search(line.text)):
            el = found.group("el")
        rule = "working_spinner_verb" if v.status.marker.label == "spinner verb" else "working"
        return Verdict(State.WORKING, f'working: {v.status.marker.label} "{clip(line.body)}"',
                       elapsed=parse_duration(el), rule=rule, evidence=evidence(line))
    for line in v.footer():
        for marker in v.p.working_footer:
            if marker.search(line.text):
                return Verdict(State.WORKING, f'working: {marker.label} "{clip(line.body)}"',
                               rule="working_footer", evidence=evidence(line))
    return None


def _wall(v: View) -> Verdict | None:
    rows = v.s.between(v.live_start, v.end)[-_WALL_ROWS:]
    for line in reversed(rows):
        for marker in WALLS:
            if marker.search(line.text):
                return Verdict(State.BLOCKED, f'blocked: {marker.label} "{clip(line.body)}"',
                               rule="wall", evidence=evidence(line))
    return None


def _idle(v: View) -> Verdict | None:
    interrupt = _interrupt_below(v)
    ready = v.composer.line if v.composer else v.ready_prompt
    if interrupt and (ready or (v.at_prompt and v.s.last)):
        # Back at the input after the person's Esc or ^C (or a cancellation they caused).
        how = v.interrupt_label(interrupt)
        return Verdict(State.IDLE, f'idle: {how} "{clip(interrupt.body)}"', interrupted=True,
                       rule=f"idle_{how}", evidence=evidence(interrupt, ready or v.s.last))
    if v.at_prompt and v.s.last:
        return Verdict(State.IDLE, f'idle: prompt "{clip(v.s.last.body)}"', rule="idle_prompt",
                       evidence=evidence(v.s.last))
    if ready:
        done = _completion_above(v, v.composer.top if v.composer else ready.index)
        glyph = ready.body[:1]
        if done:
            return Verdict(State.IDLE, f'idle: composer "{glyph}" under "{clip(done.body)}"',
                           rule="idle_after_completion", evidence=evidence(done, ready))
        if v.composer:
            return Verdict(State.IDLE, f'idle: composer "{glyph}" with no working marker',
                           rule="idle", evidence=evidence(ready))
    if interrupt:
        # The turn was stopped, but no composer shows that the agent takes input yet.
        return Verdict(State.BLOCKED, f'blocked: interrupted "{clip(interrupt.body)}", '
                                      "no composer in view", rule="interrupted_no_composer",
                       evidence=evidence(interrupt))
    last = v.s.last
    if last and v.is_finished(last):
        return Verdict(State.IDLE, f'idle: turn over "{clip(last.body)}"', rule="idle_turn_over",
                       evidence=evidence(last))
    return None


def _completion_above(v: View, top: int) -> Line | None:
    """The turn's completion line ("✻ Churned for 5s", "Worked for 1m 3s") when it is the last
    thing printed over the input: the turn is over and the composer waits."""
    for line in reversed(v.s.between(v.live_start, top)):
        if line.rule or _right_aligned_over_frame(v, line):
            continue
        return line if v.is_finished(line) else None
    return None


def _right_aligned_over_frame(v: View, line: Line) -> bool:
    """A short row pushed to the right edge just over a framed composer belongs to the frame,
    not the transcript (Claude 2.1's effort indicator, "◐ medium · /effort")."""
    return (v.composer is not None and v.p.composer_framed
            and 0 < v.composer.top - line.index <= 2
            and len(line.text) - len(line.body) >= _RIGHT_ALIGNED)


def _prompt_top(v: View) -> int:
    """Where the input block starts: the composer's top, or a line UI's prompt row, or the end
    of the screen; for an unframed one, the rule just over it when there is one (Aider lists
    the files in the chat between the two)."""
    last = v.s.last
    if v.composer:
        top = v.composer.top
    elif v.at_prompt and last:
        top = last.index
    elif v.ready_prompt:
        top = v.ready_prompt.index
    else:
        return len(v.s.lines)
    if v.p.composer_framed:
        return top
    near = [ln for ln in v.s.lines[max(0, top - _PROMPT_BLOCK):top] if ln.rule]
    return near[-1].index if near else top


def _interrupt_below(v: View) -> Line | None:
    """The person's interrupt (or denial) notice, when it is the last thing the turn printed:
    only its own wrapped rows, blank rows, rules and a turn-over line may follow it."""
    end = _prompt_top(v)
    rows = [ln for ln in v.s.between(v.live_start, end)[-2 * _INTERRUPT_ROWS:]
            if not ln.rule and not _right_aligned_over_frame(v, ln)]
    paragraph: list[Line] = []  # the rows of the paragraph being read, bottom-up
    for line in reversed(rows[-_INTERRUPT_ROWS:]):
        if paragraph and line.index + 1 < paragraph[-1].index:
            if not all(v.is_finished(ln) for ln in paragraph):
                return None  # that paragraph was output of another kind
            paragraph = []
        if v.is_interrupt(line):
            return line
        paragraph.append(line)
    return None


def detect_in(s: Screen) -> str | None:
    # The banner at the top and the chrome at the bottom say which tool this is; the middle
    # of a long capture is the agent's output and only costs time.
    rows = s.lines if len(s.lines) <= _SIGNATURE_ROWS else (
        s.lines[:_SIGNATURE_HEAD] + s.lines[-(_SIGNATURE_ROWS - _SIGNATURE_HEAD):])
    text = "\n".join(line.text for line in rows)
    best, best_score = None, 0
    for name, profile in PROFILES.items():
        score = sum(weight for pattern, weight in profile.signatures if pattern.search(text))
        if score > best_score:
            best, best_score = name, score
    if best_score >= _MIN_SCORE:
        return best
    shell = PROFILES["shell"].prompt_line
    if s.last and shell and shell.match(s.last.text):
        return "shell"
    return None


def classify_screen(s: Screen, tool: str) -> Detection:
    profile = PROFILES[tool]
    v = View(s, profile)
    verdict = None
    for decide in (account_wall, approval, _blocked, _working, _wall, _idle):
        verdict = decide(v)
        if verdict:
            break
    if verdict is None:
        verdict = Verdict(State.UNKNOWN, "unknown: no dialog, error, working marker, composer "
                                         "or prompt in the bottom rows", rule="unknown")
    background = any(b.search(ln.text) for ln in s.tail(10) for b in profile.background)
    key = (DialogKey(tool, verdict.dialog, verdict.subject, verdict.options)
           if verdict.state is State.APPROVAL else None)
    return Detection(tool=tool, state=verdict.state, context_left=context_left(v),
                     queued=queued(v), reason=verdict.reason,
                     elapsed_seconds=verdict.elapsed, background=background,
                     dialog=verdict.dialog, resumes_at=verdict.resumes_at, dialog_key=key,
                     limit=verdict.limit,
                     interrupted=verdict.interrupted, rule=verdict.rule,
                     evidence=verdict.evidence)
