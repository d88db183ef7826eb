"""The reader recognises structure, not phrases (issue 20, item 3), and says which rule decided
and which rows it matched (for `orchestra why`). Each rule has its screens in tests/screens
(`*-81…87.txt`) and a hypothesis test that varies the words, the width, the colours (SGR, as
`capture-pane -e` keeps them) and the decorations around it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestra_tui.agents import answer_keys, classify
from orchestra_tui.agents.text import Screen
from orchestra_tui.models import Detection, State

SCREENS = Path(__file__).resolve().parent / "screens"
NBSP = "\u00a0"


def screen(rel: str) -> str:
    return (SCREENS / rel).read_text(encoding="utf-8").split("\n", 4)[4]


def every_screen() -> list[Path]:
    return sorted([*SCREENS.glob("shared/*/*.txt"), *SCREENS.glob("*/*.txt")])


@pytest.mark.parametrize(("rel", "rule", "reason", "dialog", "resumes_at"), [
    ("claude/approval-81.txt", "choice_dialog",
     'approval: "Claude in Chrome wants to navigate on example.com"', "choice", None),
    ("claude/approval-83.txt", "choice_dialog", 'approval: "Claude in Chrome wants', "choice",
     None),
    ("claude/approval-85.txt", "choice_dialog", 'approval: "Which database should', "question",
     None),
    ("codex/approval-81.txt", "approval", 'approval: "Which cache backend', "question", None),
    ("codex/approval-83.txt", "approval", "approval: ", "question", None),
    ("claude/idle-81.txt", "idle_after_completion", 'idle: composer "❯" under "✻ Churned for 5s"',
     None, None),
    ("claude/idle-83.txt", "idle_after_completion", 'idle: composer ">" under "Worked for 1m 3s"',
     None, None),
    ("claude/idle-85.txt", "idle_canceled", 'idle: canceled "⎿ Error: Compaction canceled."',
     None, None),
    ("claude/idle-87.txt", "idle_canceled", "idle: canceled", None, None),
    ("claude/working-81.txt", "working_spinner_verb", 'working: spinner verb "● Pondering…"',
     None, None),
    ("claude/working-83.txt", "working", 'working: spinner "✢ Thinking…"', None, None),
    ("claude/blocked-81.txt", "account_wall", "blocked: usage limit, resets 3pm", None,
     "3pm (America/New_York)"),
    ("claude/blocked-83.txt", "account_wall", "blocked: usage limit, resets 3pm (Europe/Berlin) \"",
     None, "3pm (Europe/Berlin)"),
    ("codex/blocked-81.txt", "account_wall", "blocked: usage limit, resets 2:51 PM", None,
     "2:51 PM"),
])
def test_issue20_screens_say_which_rule_decided(rel: str, rule: str, reason: str,
                                                dialog: str | None,
                                                resumes_at: str | None) -> None:
    detection = classify(screen(rel))
    assert (detection.rule, detection.dialog, detection.resumes_at) == (rule, dialog,
                                                                       resumes_at)
    assert detection.reason.startswith(reason), detection.reason


def test_a_cancellation_is_the_persons_own_act() -> None:
    canceled = classify(screen("claude/idle-85.txt"))
    assert canceled.interrupted, canceled


# --- every decision names its rule and the rows it matched -----------------------------------

INLINE = {  # decision paths no screen file takes
    "wall": ("codex", "• Ran git merge feature\n  └ CONFLICT (content): Merge conflict in a.py\n"
                      "    Automatic merge failed; fix conflicts and then commit the result.\n\n"
                      "› Ask Codex to do anything\n\n  ? for shortcuts"),
    "idle_turn_over": ("claude", "⏺ All tests pass.\n\n✻ Brewed for 12s"),
}


def _checked(detection: Detection, text: str) -> None:
    assert detection.rule, detection
    if detection.state is not State.UNKNOWN:
        assert detection.evidence, detection
    rows = Screen(text).lines
    indexes = [index for index, _ in detection.evidence]
    assert indexes == sorted(set(indexes)) and len(indexes) <= 4, detection.evidence
    for index, row in detection.evidence:
        assert rows[index].body == row, (index, row)


@pytest.mark.parametrize("path", every_screen(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_screen_names_its_rule_and_rows(path: Path) -> None:
    text = path.read_text(encoding="utf-8").split("\n", 4)[4]
    _checked(classify(text), text)


@pytest.mark.parametrize("rule", sorted(INLINE))
def test_the_remaining_paths_name_their_rule_and_rows(rule: str) -> None:
    tool, text = INLINE[rule]
    detection = classify(text, tool)
    assert detection.rule == rule
    _checked(detection, text)


def test_every_state_path_is_taken_and_named() -> None:
    rules = {classify(p.read_text(encoding="utf-8").split("\n", 4)[4]).rule
             for p in every_screen()}
    rules |= {classify(text, tool).rule for tool, text in INLINE.values()}
    assert rules >= {"account_wall", "approval", "choice_dialog", "blocked", "working",
                     "working_footer", "working_spinner_verb", "wall", "idle", "idle_prompt",
                     "idle_interrupted", "idle_canceled", "idle_after_completion",
                     "idle_turn_over", "interrupted_no_composer", "unknown"}, rules
    unknown = classify("nothing an agent drew")
    assert (unknown.rule, unknown.evidence) == ("unknown", ())


# --- variations: words, widths, colours, decorations -----------------------------------------

WORDS = ["refund", "handler", "pricing", "page", "tabs", "window", "cluster", "schema",
         "worker", "branch", "report", "module", "tests", "fixtures", "cache", "index"]
ANSWERS = ["Postgres", "SQLite", "Redis", "An in-process LRU", "The staging cluster",
           "Rewrite it in place", "Split the module", "Both of them", "Mock the client",
           "A new table", "Ship it behind a flag"]
COLOURS = ["", "\x1b[1m", "\x1b[2m", "\x1b[38;5;246m", "\x1b[38;2;153;153;153m", "\x1b[36m",
           "\x1b[7m"]


@st.composite
def painted(draw: st.DrawFn, text: str) -> str:
    """`text` drawn in a colour, or not, as `capture-pane -e` keeps it."""
    colour = draw(st.sampled_from(COLOURS))
    return f"{colour}{text}\x1b[0m" if colour else text


@st.composite
def transcript(draw: st.DrawFn) -> str:
    """Some finished output above the live rows (or none)."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=6))
    rows = draw(st.sampled_from([
        [], [f"⏺ Updated the {' '.join(words)}."],
        [f"❯ fix the {words[0]}", "", f"⏺ Read(src/{words[1]}.py)", "  ⎿  Read 40 lines"],
    ]))
    return "\n".join(rows) + ("\n\n" if rows else "")


def frame(draw: st.DrawFn, text: str) -> str:
    """The composer row framed by rules of some width, or bare as a plain capture shows it."""
    width = draw(st.integers(20, 160))
    if draw(st.booleans()):
        rule = "─" * width
        return f"{rule}\n{text}\n{rule}\n  ? for shortcuts"
    return text


@settings(max_examples=60, deadline=None)
@given(data=st.data(), consent=st.booleans())
def test_a_choice_list_under_a_cursor_is_a_dialog_whatever_its_words(data: st.DataObject,
                                                                    consent: bool) -> None:
    draw = data.draw
    words = draw(st.lists(st.sampled_from(WORDS), min_size=3, max_size=9))
    statement = f"Claude wants to {' '.join(words)}" + draw(st.sampled_from(["", "?", ":"]))
    if consent:
        first = draw(st.sampled_from(["Allow", "Yes", "Approve", "Proceed"]))
        last = draw(st.sampled_from(["Deny (esc)", "No", "No, and tell Claude what to do",
                                     "Skip"]))
        middle = draw(st.lists(st.sampled_from(ANSWERS), max_size=2))
        labels = [first, *middle, last]
    else:
        labels = draw(st.lists(st.sampled_from(ANSWERS), min_size=2, max_size=5, unique=True))
    indent = " " * draw(st.integers(0, 4))
    cursor = draw(st.sampled_from(["❯", ">", "›"]))
    rows = [f"{indent}{cursor} 1. {draw(painted(labels[0]))}"]
    rows += [f"{indent}  {n}. {draw(painted(label))}" for n, label in enumerate(labels[1:], 2)]
    gap = draw(st.sampled_from(["\n", "\n\n"]))
    text = draw(transcript()) + f"{indent}{draw(painted(statement))}{gap}" + "\n".join(rows)
    tool = draw(st.sampled_from(["claude", "codex"]))
    detection = classify(text, tool)
    assert detection.state is State.APPROVAL, (text, detection.reason)
    if consent:
        assert detection.dialog != "question", (text, detection)
    else:
        assert detection.dialog == "question", (text, detection)
        assert "y" not in answer_keys(tool, detection.dialog, approve=True)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_completion_line_over_an_empty_prompt_is_idle(data: st.DataObject) -> None:
    draw = data.draw
    verb = draw(st.from_regex(r"[A-Z][a-z]{3,10}ed", fullmatch=True))
    duration = draw(st.sampled_from(["5s", "12s", "1m 3s", "2m 0s", "1h 14m 17s", "59s"]))
    glyph = draw(st.sampled_from(["✻ ", "✽ ", "* ", "· ", ""]))
    prompt = draw(st.sampled_from(["❯", ">"])) + draw(st.sampled_from([NBSP, " ", ""]))
    text = (draw(transcript()) + draw(painted(f"{glyph}{verb} for {duration}")) + "\n\n"
            + frame(draw, prompt))
    detection = classify(text, "claude")
    assert (detection.state, detection.rule) == (State.IDLE, "idle_after_completion"), (
        text, detection.reason)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_spinner_verb_with_an_ellipsis_is_working(data: st.DataObject) -> None:
    draw = data.draw
    glyph = draw(st.sampled_from(["●", "✢", "✳", "✶", "✻", "✽", "*", "·", "⠋", "⠹", "◐", "⏺"]))
    verb = draw(st.from_regex(r"[A-Z][a-z]{3,12}ing", fullmatch=True))
    second = draw(st.sampled_from(["", " conversation", " things"]))
    dots = draw(st.sampled_from(["…", "..."]))
    row = draw(painted(f"{glyph} {verb}{second}{dots}"))
    below = draw(st.sampled_from(["", "\n\n" + frame(draw, "❯" + NBSP)]))
    text = draw(transcript()) + row + below
    detection = classify(text, "claude")
    assert detection.state is State.WORKING, (text, detection.reason)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_usage_limit_stands_whatever_sits_in_the_composer(data: st.DataObject) -> None:
    draw = data.draw
    when = draw(st.sampled_from(["3pm", "11am", "2:51 PM", "3pm (Europe/Berlin)",
                                 "9pm (America/New_York)"]))
    tool = draw(st.sampled_from(["claude", "codex"]))
    typed = draw(st.sampled_from(["", "continue", "go on", "please keep going",
                                  "fix the " + draw(st.sampled_from(WORDS))]))
    if tool == "claude":
        notice = draw(st.sampled_from([
            f"  ⎿  Claude usage limit reached. Your limit will reset at {when}.",
            f"  ⎿  You've hit your limit · resets {when}",
            f"⏺ 5-hour limit reached · resets {when}\n     /upgrade to increase your usage limit.",
        ]))
        composer = frame(draw, draw(st.sampled_from(["❯", ">"])) + NBSP + typed)
    else:
        notice = f"■ You've hit your usage limit. Upgrade to Pro or try again at {when}."
        composer = f"› {typed or 'Ask Codex to do anything'}\n\n  ? for shortcuts"
    text = draw(transcript()) + draw(painted(notice)) + "\n\n" + composer
    detection = classify(text, tool)
    assert (detection.state, detection.rule) == (State.BLOCKED, "account_wall"), (
        text, detection.reason)
    assert detection.resumes_at == when


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_reported_cancellation_over_a_ready_composer_is_idle(data: st.DataObject) -> None:
    draw = data.draw
    subject = draw(st.sampled_from(["Compaction", "Request", "Operation", "The summary"]))
    spelling = draw(st.sampled_from(["canceled", "cancelled", "was canceled", "aborted"]))
    line = draw(st.sampled_from([f"Error: {subject} {spelling}.", f"{subject} cancelled by user"]))
    lead = draw(st.sampled_from(["  ⎿  ", "  ⎿" + NBSP + " ", "⏺ ", ""]))
    command = draw(st.sampled_from(["/compact", "/compact keep the notes", "summarise"]))
    text = (f"❯ {command}\n" + draw(painted(lead + line)) + "\n\n"
            + frame(draw, "❯" + draw(st.sampled_from([NBSP, " ", ""]))))
    detection = classify(text, "claude")
    assert (detection.state, detection.rule) == (State.IDLE, "idle_canceled"), (
        text, detection.reason)
    assert detection.reason.startswith("idle: canceled") and detection.interrupted
