r"""How arguments reach tmux: one argument protected from tmux's own command parser
(`escape_arg`, for a tmux process), a whole command as one line for a control-mode client
(`control_line`), and which commands only read (`is_poll_only`, what the control client may run).

>>> escape_arg("ls;"), control_line(["send-keys", "-t", "%1", "it's;"])
('ls\\;', "'send-keys' '-t' '%1' 'it'\\''s;'")
>>> is_poll_only(["list-panes", "-a", ";", "capture-pane", "-p"]), is_poll_only(["kill-pane"])
(True, False)
"""

from __future__ import annotations

from collections.abc import Sequence


def escape_arg(arg: str) -> str:
    """Protect one argument from tmux's command-line parser.

    tmux splits commands on an argument that ends in `;` (and turns a trailing `\\;` into a
    literal `;`), so an argument ending in `;` gets a backslash before that last `;`. Nothing
    else is interpreted: arguments go to tmux through exec, never through a shell.
    """
    if arg.endswith(";"):
        return arg[:-1] + "\\;"
    return arg


POLL_COMMANDS = frozenset({"list-panes", "capture-pane", "display-message"})


def is_poll_only(args: Sequence[str]) -> bool:
    """True when every command of `args` (split at bare `;`) only reads: `list-panes`,
    `capture-pane`, or `display-message -p` (which prints instead of showing a message)."""
    command: list[str] = []
    for arg in [*args, ";"]:
        if arg != ";":
            command.append(arg)
            continue
        if not command or command[0] not in POLL_COMMANDS:
            return False
        if command[0] == "display-message" and "-p" not in command[1:]:
            return False
        command = []
    return True


def control_line(args: Sequence[str]) -> str:
    """`args` (an argv for a tmux process) as one line for a control-mode client: every argument
    single-quoted, a bare `;` left to separate commands, and `escape_arg`'s trailing `\\;` turned
    back into the literal `;` it stands for (inside quotes tmux would keep the backslash)."""
    words = []
    for arg in args:
        if arg == ";":
            words.append(";")
            continue
        if arg.endswith("\\;"):
            arg = arg[:-2] + ";"
        if "\n" in arg or "\r" in arg:
            raise ValueError("a control-mode command cannot hold a newline")
        words.append("'" + arg.replace("'", "'\\''") + "'")
    return " ".join(words)
