"""Unified diffs (git's, and GitHub's per-file patches) into `diff_models`, parsed by `unidiff`
rather than by hand. Names git C-quotes (`"b/ev\\033[31mil"`: any control byte or non-ASCII
byte) are unquoted here to the name on disk; the screens show its controls inert.

>>> files = parse_unified('''diff --git a/app.py b/app.py
... --- a/app.py
... +++ b/app.py
... @@ -1,2 +1,2 @@ def main():
...  keep
... -old
... +new
... ''')
>>> [(f.path, f.status.value, f.added, f.removed) for f in files]
[('app.py', 'modified', 1, 1)]
>>> [(line.kind.value, line.text, line.old, line.new) for line in files[0].hunks[0].lines]
[(' ', 'keep', 1, 1), ('-', 'old', 2, None), ('+', 'new', None, 2)]
>>> unquote_path('"b/ev\\\\033[31mil\\\\303\\\\251.py"')
'b/ev\\x1b[31milé.py'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import unidiff

from orchestra_tui.diff_models import DiffHunk, DiffLine, FileDiff, FileStatus, LineKind

__all__ = ["github_files_to_unified", "parse_unified", "unquote_path"]

_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_QUOTED = re.compile(rb'\\([0-7]{3}|.)', re.S)
_KINDS = {"+": LineKind.ADDED, "-": LineKind.REMOVED, " ": LineKind.CONTEXT}


def unquote_path(name: str) -> str:
    """A path as git printed it, C-quoted or not, as the path it names."""
    if len(name) < 2 or not (name.startswith('"') and name.endswith('"')):
        return name

    def byte(found: re.Match[bytes]) -> bytes:
        code = found.group(1).decode("latin-1")
        if len(code) == 3:
            return bytes([int(code, 8)])
        return bytes([_ESCAPES.get(code, ord(code))])

    raw = _QUOTED.sub(byte, name[1:-1].encode("utf-8", "surrogateescape"))
    return raw.decode("utf-8", "replace")


def _side(name: str, prefix: str) -> str:
    name = unquote_path(name.strip())
    if name == "/dev/null":
        return ""
    return name[len(prefix):] if name.startswith(prefix) else name


def _status(patched: unidiff.PatchedFile, untracked: frozenset[str], path: str) -> FileStatus:
    if path in untracked:
        return FileStatus.UNTRACKED
    if patched.is_added_file:
        return FileStatus.ADDED
    if patched.is_removed_file:
        return FileStatus.REMOVED
    if patched.is_rename:
        return FileStatus.RENAMED
    return FileStatus.MODIFIED


def _hunk(hunk: unidiff.Hunk) -> DiffHunk:
    lines = tuple(DiffLine(_KINDS[line.line_type], line.value.rstrip("\r\n"),
                           line.source_line_no, line.target_line_no)
                  for line in hunk if line.line_type in _KINDS)
    return DiffHunk(hunk.source_start, hunk.source_length, hunk.target_start,
                    hunk.target_length, hunk.section_header.strip(), lines)


def parse_unified(text: str, untracked: Iterable[str] = ()) -> tuple[FileDiff, ...]:
    """The files of a unified diff; those named in `untracked` are marked so. Raises
    `unidiff.UnidiffParseError` (a ValueError) on text that is not one."""
    new_files = frozenset(untracked)
    files = []
    for patched in unidiff.PatchSet(text):
        old = _side(patched.source_file or "", "a/")
        new = _side(patched.target_file or "", "b/")
        path = new or old
        status = _status(patched, new_files, path)
        files.append(FileDiff(
            path=path, status=status, added=patched.added, removed=patched.removed,
            hunks=tuple(_hunk(h) for h in patched), binary=patched.is_binary_file,
            old_path=old if status is FileStatus.RENAMED and old != path else ""))
    return tuple(files)


def github_files_to_unified(files: Sequence[dict[str, object]]) -> str:
    """GitHub's `GET /pulls/{n}/files` entries as one unified diff: each file's `patch` (its
    hunks; absent for a binary or a very large file) under git's own header lines."""
    out = []
    for entry in files:
        path = str(entry.get("filename") or "")
        old = str(entry.get("previous_filename") or path)
        status = str(entry.get("status") or "modified")
        header = [f"diff --git a/{old} b/{path}"]
        if status == "renamed":
            header += [f"rename from {old}", f"rename to {path}"]
        source = "/dev/null" if status == "added" else f"a/{old}"
        target = "/dev/null" if status == "removed" else f"b/{path}"
        patch = entry.get("patch")
        if isinstance(patch, str) and patch:
            header += [f"--- {source}", f"+++ {target}", patch.rstrip("\n")]
        elif status == "added":
            header.insert(1, "new file mode 100644")
        elif status == "removed":
            header.insert(1, "deleted file mode 100644")
        out.append("\n".join(header))
    return "\n".join(out) + ("\n" if out else "")
