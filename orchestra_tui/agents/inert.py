"""Text is text: what orchestra types into a pane, and what it shows or prints of GitHub's
strings, carries no byte that a terminal or an agent would take as a key or a command.

A review body holding `ESC[201~` (the end of a bracketed paste), ctrl-c bytes and lines of
`$(…)` ended a paste early, quit the agent with its own ctrl-c and typed the rest into the
shell behind it. So every prompt is made inert before it is typed (`inert_prompt`): escape
sequences and C0/C1 controls are removed, tab and newline stay as text, a carriage return
becomes a newline, and invalid UTF-8 (surrogates from a command line) becomes U+FFFD. With no
ESC left, a bracketed-paste marker cannot occur inside a paste.

Text shown in the app or printed by a command (`visible_controls`) keeps every character but
shows controls as symbols (`␛`, `␇`) instead of letting the terminal obey them.

>>> inert_prompt("fix\\x1b[201~ it\\x03\\x03\\r\\n$(touch x)\\tok")
'fix it\\n$(touch x)\\tok'
>>> visible_controls("a\\x1b]2;title\\x07\\x1b[2Jb")
'a␛]2;title␇␛[2Jb'
"""

from __future__ import annotations

import re

# A terminal's escape sequences as a program reading its keyboard would see them: CSI (incl.
# the paste markers `ESC[200~` / `ESC[201~`), OSC / DCS / SOS / PM / APC strings up to their
# terminator (or the end of the line: one left open never swallows the rest of the text),
# SS3 and the two-byte escapes; their 8-bit (C1) forms too.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1bO.?"
    r"|\x1b[ -/]*[0-~]?")
# Whatever control is left after the sequences went: C0 but tab and newline, DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_UNPAIRED = re.compile(r"[\ud800-\udc7f]")


def valid_text(text: str) -> str:
    """`text` as valid Unicode: bytes a command line could not decode (Python keeps them as
    lone surrogates) and any other lone surrogate become U+FFFD, never a traceback.

    >>> valid_text("caf\\udcc3\\udca9 ok \\ud800")
    'café ok �'
    """
    if not _SURROGATE.search(text):
        return text
    text = _UNPAIRED.sub("\ufffd", text)  # not a byte `surrogateescape` kept: no way back
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def inert_prompt(text: str) -> str:
    """The prompt as it may be typed: no escape sequence, no control byte but tab and
    newline, CR as newline, valid UTF-8. Idempotent.

    >>> inert_prompt("a\\x1b]0;owned\\x07b\\x9b2Jc\\x7f\\x00d\\re")
    'abcd\\ne'
    >>> inert_prompt("\\x1b[200~paste\\x1b[201~")
    'paste'
    """
    text = _newlines(valid_text(text))
    if "\x1b" in text or any("\x80" <= ch <= "\x9f" for ch in text):
        text = _SEQUENCE.sub("", text)
    return _CONTROL.sub("", text)


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code == 0x7f:
        return "␡"
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␀ … ␛ … ␟
    return "␛" + chr(code - 0x40)  # a C1 control is ESC and a letter: 0x9b reads ␛[


def visible_controls(text: str) -> str:
    """`text` for a screen or a terminal: controls drawn as symbols, never obeyed; tab and
    newline kept, CRLF and CR as newline, invalid UTF-8 as U+FFFD. Idempotent.

    >>> visible_controls("ok\\r\\n\\x03\\x9b1m\\x7f\\tend")
    'ok\\n␃␛[1m␡\\tend'
    """
    return _CONTROL.sub(_picture, _newlines(valid_text(text)).replace("\x1b", "␛"))
