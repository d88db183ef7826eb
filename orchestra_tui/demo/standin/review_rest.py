"""The stand-in's answers about a PR's change: its files with their patches
(`GET /pulls/{n}/files`) and a review comment on one of its lines
(`POST /pulls/{n}/comments`), which becomes a review thread the GraphQL inbox then lists.
Bodies follow GitHub's OpenAPI description (`diff-entry`, `pull-request-review-comment`)."""

from __future__ import annotations

import re
from typing import Any

from orchestra_tui.demo.standin import state as st
from orchestra_tui.demo.standin.state import SComment, SFile, SPull, SRepo, SThread

__all__ = ["comment_refusal", "file_json", "lines_of", "review_comment_json"]

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
PERSON = "octo-person"


def file_json(api: str, repo: SRepo, pr: SPull, item: SFile) -> dict[str, Any]:
    added, removed = item.counts()
    blob = st.sha_of("blob", pr.head_sha, item.filename)
    body: dict[str, Any] = {
        "sha": blob, "filename": item.filename, "status": item.status,
        "additions": added, "deletions": removed, "changes": added + removed,
        "blob_url": f"https://github.com/{repo.full_name}/blob/{pr.head_sha}/{item.filename}",
        "raw_url": f"https://github.com/{repo.full_name}/raw/{pr.head_sha}/{item.filename}",
        "contents_url": f"{api}/repos/{repo.full_name}/contents/{item.filename}"
                        f"?ref={pr.head_sha}",
    }
    if item.patch:
        body["patch"] = item.patch
    if item.previous_filename:
        body["previous_filename"] = item.previous_filename
    return body


def lines_of(item: SFile, side: str) -> set[int]:
    """The line numbers the patch shows on `side` (RIGHT: the head's, LEFT: the base's)."""
    shown: set[int] = set()
    old = new = 0
    for line in item.patch.splitlines():
        found = _HUNK.match(line)
        if found:
            old, new = int(found.group(1)), int(found.group(3))
            continue
        if line.startswith("\\"):
            continue  # "\ No newline at end of file"
        added, removed = line.startswith("+"), line.startswith("-")
        if not added and side == "LEFT" or not removed and side == "RIGHT":
            shown.add(old if side == "LEFT" else new)
        old += not added
        new += not removed
    return shown


def comment_refusal(pr: SPull, body: Any) -> str | None:
    """GitHub's 422 reason for a review comment it would not take, else None."""
    if not isinstance(body, dict) or not isinstance(body.get("body"), str) or not body["body"]:
        return "body"
    if body.get("commit_id") != pr.head_sha:
        return "commit_id"  # the stand-in keeps one commit per PR: its head
    item = next((f for f in pr.files if f.filename == body.get("path")), None)
    side = body.get("side", "RIGHT")
    line = body.get("line")
    if item is None or side not in ("LEFT", "RIGHT") or not isinstance(line, int):
        return "path"
    shown = lines_of(item, side)
    start = body.get("start_line", line)
    if not isinstance(start, int) or start > line or not all(
            n in shown for n in range(start, line + 1)):
        return "line"
    return None


def add_review_comment(pr: SPull, body: dict[str, Any]) -> tuple[SThread, SComment]:
    comment = SComment(PERSON, str(body["body"]), st.now_iso())
    thread = SThread(str(body["path"]), int(body["line"]), [comment])
    pr.threads.append(thread)
    return thread, comment


def review_comment_json(api: str, repo: SRepo, pr: SPull, thread: SThread, comment: SComment,
                        body: dict[str, Any]) -> dict[str, Any]:
    pull_url = f"{api}/repos/{repo.full_name}/pulls/{pr.number}"
    url = f"{api}/repos/{repo.full_name}/pulls/comments/{comment.id}"
    html = f"https://github.com/{repo.full_name}/pull/{pr.number}#discussion_r{comment.id}"
    side = str(body.get("side", "RIGHT"))
    start = body.get("start_line")
    return {
        "url": url, "id": comment.id, "node_id": f"PRRC_kwDO{comment.id}",
        "pull_request_review_id": comment.id + 1, "diff_hunk": _hunk_text(pr, thread.path),
        "path": thread.path, "commit_id": pr.head_sha, "original_commit_id": pr.head_sha,
        "user": st.user_json(api, comment.author), "body": comment.body,
        "created_at": comment.created_at, "updated_at": comment.created_at,
        "html_url": html, "pull_request_url": pull_url, "author_association": "MEMBER",
        "_links": {"self": {"href": url}, "html": {"href": html},
                   "pull_request": {"href": pull_url}},
        "start_line": start, "original_start_line": start,
        "start_side": body.get("start_side", side) if start is not None else None,
        "line": thread.line, "original_line": thread.line, "side": side,
        "subject_type": "line",
    }


def _hunk_text(pr: SPull, path: str) -> str:
    item = next((f for f in pr.files if f.filename == path), None)
    return item.patch if item is not None else ""
