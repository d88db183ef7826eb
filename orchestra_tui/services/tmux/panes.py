"""What tmux prints about panes, read back: the fields of one `list-panes` line, and a batch of
captures cut at its marker lines.

>>> line = SEP.join(["%3", "41", "main", "0", "1", "bash", "/", "t", "0", "9", "80", "24", "0",
...                  "", "0", "", "120", "2000"])
>>> pane = parse_pane_line(line); (pane.pane_id, pane.pid, pane.dead, pane.dead_status)
('%3', 41, False, None)
"""

from __future__ import annotations

from orchestra_tui.models import PaneInfo
from orchestra_tui.services.hooks.tools import MARK_OPTION

SEP = "\x1f"  # unit separator: tmux keeps it out of titles and names, so it splits fields
PANE_FIELDS = (
    "pane_id", "pane_pid", "session_name", "window_index", "pane_index", "pane_current_command",
    "pane_current_path", "pane_title", "pane_dead", "window_activity", "pane_width",
    "pane_height", "pane_in_mode", "pane_dead_status", "alternate_on",
    MARK_OPTION,  # set by the hooks of agents that report through their pane
    "history_size", "history_limit",
)
PANE_FORMAT = SEP.join("#{" + name + "}" for name in PANE_FIELDS)


def _int(value: str, default: int = 0) -> int:
    try:
        return int(value)
    except ValueError:
        return default


def parse_pane_line(line: str) -> PaneInfo | None:
    """One line of `PANE_FORMAT` output as a `PaneInfo`; None for a line that is not one."""
    parts = line.split(SEP)
    if len(parts) != len(PANE_FIELDS) or not parts[0].startswith("%"):
        return None
    f = dict(zip(PANE_FIELDS, parts))
    return PaneInfo(
        pane_id=f["pane_id"], pid=_int(f["pane_pid"]), session_name=f["session_name"],
        window_index=_int(f["window_index"]), pane_index=_int(f["pane_index"]),
        current_command=f["pane_current_command"], current_path=f["pane_current_path"],
        title=f["pane_title"], dead=f["pane_dead"] == "1",
        activity=_int(f["window_activity"]), width=_int(f["pane_width"]),
        height=_int(f["pane_height"]), in_mode=f["pane_in_mode"] == "1",
        dead_status=_int(f["pane_dead_status"]) if f["pane_dead_status"] else None,
        alternate=f["alternate_on"] == "1", hook_mark=f[MARK_OPTION],
        history_size=_int(f["history_size"]), history_limit=_int(f["history_limit"]),
    )


def split_batch(stdout: str, token: str, pane_ids: list[str], into: dict[str, str]) -> int:
    """Cut a batch's output at its marker lines; store each finished pane; return how many."""
    lines = stdout.split("\n")
    start, done = 0, 0
    for number, line in enumerate(lines):
        if done < len(pane_ids) and line == f"{token}{done}":
            into[pane_ids[done]] = "\n".join(lines[start:number])
            start, done = number + 1, done + 1
    return done
