"""The stand-in's REST routes: compare, merge, update-branch, issues and their comments.

A mixin of the stand-in's request handler; bodies are built in `standin_state` to match
GitHub's OpenAPI description (the tests check every answer against it).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from orchestra_tui.demo import standin_state as st
from orchestra_tui.demo.standin_state import SComment, SIssue, SPull, SRepo

if TYPE_CHECKING:
    from orchestra_tui.demo.github_standin import StandIn


class RestRoutes:
    """Needs `owner`, `headers`, `path`, `_send` and `_error` from the request handler."""

    owner: StandIn
    headers: Any
    path: str

    def _send(self, status: int, body: Any = None,
              headers: dict[str, str] | None = None) -> None:  # pragma: no cover - handler's
        raise NotImplementedError

    def _error(self, status: int, message: str,
               headers: dict[str, str] | None = None) -> None:  # pragma: no cover - handler's
        raise NotImplementedError

    def _rest(self, method: str, path: str, query: dict[str, str], body: Any) -> None:
        owner = self.owner
        api = owner.url
        headers = owner.rate_headers("core")
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
        repo = owner.repo(f"{match.group(1)}/{match.group(2)}") if match else None
        if match is None or repo is None:
            self._error(404, "Not Found", headers)
            return
        owner.rest_remaining -= 1
        rest = match.group(3) or ""
        for pattern, verb, handler in _ROUTES:
            found = re.fullmatch(pattern, rest)
            if found and verb == method:
                handler(self, repo, api, query, body, headers, *found.groups())
                return
        self._error(404, "Not Found", headers)

    def _page(self, items: list[Any], query: dict[str, str], headers: dict[str, str]) -> None:
        per_page = max(1, min(100, int(query.get("per_page") or 30)))
        page = max(1, int(query.get("page") or 1))
        chunk = items[(page - 1) * per_page: page * per_page]
        links = []
        base = f"{self.owner.url}{urlsplit(self.path).path}"
        pages = max(1, -(-len(items) // per_page))
        extra = "&".join(f"{k}={v}" for k, v in query.items() if k not in ("page", "per_page"))
        extra = f"&{extra}" if extra else ""
        if page < pages:
            links.append(f'<{base}?per_page={per_page}&page={page + 1}{extra}>; rel="next"')
            links.append(f'<{base}?per_page={per_page}&page={pages}{extra}>; rel="last"')
        if page > 1:
            links.append(f'<{base}?per_page={per_page}&page=1{extra}>; rel="first"')
            links.append(f'<{base}?per_page={per_page}&page={page - 1}{extra}>; rel="prev"')
        if links:
            headers = {**headers, "Link": ", ".join(links)}
        self._send(200, chunk, headers)

    def _compare(self, repo: SRepo, api: str, query: dict, body: Any, headers: dict,
                 base: str, head: str) -> None:
        pr = next((p for p in repo.pulls.values()
                   if head in (p.head_sha, p.head_ref) and p.base_ref == base), None)
        if pr is None:
            self._error(404, "Not Found", headers)
            return
        per_page = max(1, min(100, int(query.get("per_page") or 30)))
        data = st.comparison_json(api, repo, base, head, pr, per_page)
        etag = '"' + st.sha_of(json.dumps(data, sort_keys=True)) + '"'
        wanted = self.headers.get("If-None-Match")
        if wanted and wanted.strip() in (etag, f"W/{etag}"):
            self.owner.conditional_hits += 1
            self.owner.rest_remaining += 1  # a 304 is free
            self._send(304, None, {**headers, "ETag": etag})
            return
        self._send(200, data, {**headers, "ETag": etag, "Cache-Control": "private, max-age=60"})

    def _merge(self, repo: SRepo, api: str, query: dict, body: Any, headers: dict,
               number: str) -> None:
        pr = repo.pulls.get(int(number))
        if pr is None:
            self._error(404, "Not Found", headers)
            return
        body = body if isinstance(body, dict) else {}
        method = body.get("merge_method", "merge")
        if method not in ("merge", "squash", "rebase"):
            self._send(422, {"message": "Invalid request.", "documentation_url": st.DOCS,
                             "errors": [{"resource": "PullRequest", "field": "merge_method",
                                         "code": "invalid"}]}, headers)
            return
        sha = body.get("sha")
        if pr.state == "OPEN" and sha and sha != pr.head_sha:
            self._send(409, {"message": "Head branch was modified. Review and try the merge "
                                        "again.",
                             "documentation_url": "https://docs.github.com/rest/pulls/pulls"
                                                  "#merge-a-pull-request"}, headers)
            return
        refusal = st.merge_refusal(repo, pr)
        if refusal:
            self._send(405, {"message": refusal,
                             "documentation_url": "https://docs.github.com/rest/pulls/pulls"
                                                  "#merge-a-pull-request"}, headers)
            return
        merged = st.sha_of("merge", pr.head_sha, repo.base_sha)
        pr.state, pr.merge_commit = "MERGED", merged
        self.owner.merges.append((repo.full_name, pr.number, pr.head_sha))
        repo.base_sha = merged
        for other in repo.pulls.values():
            if other.state == "OPEN":
                other.behind_by += 1
        self._send(200, {"sha": merged, "merged": True,
                         "message": "Pull Request successfully merged"}, headers)

    def _update_branch(self, repo: SRepo, api: str, query: dict, body: Any, headers: dict,
                       number: str) -> None:
        pr = repo.pulls.get(int(number))
        if pr is None or pr.state != "OPEN":
            self._error(404 if pr is None else 422, "Not Found" if pr is None
                        else "Pull request is not open", headers)
            return
        expected = (body or {}).get("expected_head_sha") if isinstance(body, dict) else None
        if expected and expected != pr.head_sha:
            self._send(422, {"message": "expected head sha didn’t match current head ref.",
                             "documentation_url": st.DOCS}, headers)
            return
        if pr.update_ready_at is None:
            pr.update_ready_at = self.owner.clock() + st.UPDATE_BRANCH_DELAY
        self._send(202, {"message": "Updating pull request branch.",
                         "url": f"https://github.com/{repo.full_name}/pull/{pr.number}"}, headers)

    def _issues(self, repo: SRepo, api: str, query: dict, body: Any, headers: dict) -> None:
        wanted = query.get("state", "open")
        items: list[SIssue | SPull] = [*repo.issues.values(), *repo.pulls.values()]
        items = [i for i in items if wanted == "all" or (i.state.lower() == "open") == (
            wanted == "open")]
        items.sort(key=lambda i: i.number, reverse=True)
        self._page([st.issue_json(api, repo, i) for i in items], query, headers)

    def _issue(self, repo: SRepo, api: str, query: dict, body: Any, headers: dict,
               number: str) -> None:
        item = repo.issues.get(int(number)) or repo.pulls.get(int(number))
        if item is None:
            self._error(404, "Not Found", headers)
            return
        self._send(200, st.issue_json(api, repo, item), headers)

    def _comments(self, repo: SRepo, api: str, query: dict, body: Any, headers: dict,
                  number: str) -> None:
        item = repo.issues.get(int(number)) or repo.pulls.get(int(number))
        if item is None:
            self._error(404, "Not Found", headers)
            return
        self._page([st.comment_json(api, repo, item.number, c) for c in item.comments], query,
                   headers)

    def _comment(self, repo: SRepo, api: str, query: dict, body: Any, headers: dict,
                 number: str) -> None:
        item = repo.issues.get(int(number)) or repo.pulls.get(int(number))
        if item is None:
            self._error(404, "Not Found", headers)
            return
        text = body.get("body") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text:
            self._send(422, {"message": "Validation Failed", "documentation_url": st.DOCS,
                             "errors": [{"resource": "IssueComment", "field": "body",
                                         "code": "missing_field"}]}, headers)
            return
        comment = SComment("octo-person", text, st.now_iso())
        item.comments.append(comment)
        url = f"{api}/repos/{repo.full_name}/issues/comments/{comment.id}"
        self._send(201, st.comment_json(api, repo, item.number, comment),
                   {**headers, "Location": url})


_ROUTES = [
    (r"/compare/(.+?)\.\.\.(.+)", "GET", RestRoutes._compare),
    (r"/pulls/(\d+)/merge", "PUT", RestRoutes._merge),
    (r"/pulls/(\d+)/update-branch", "PUT", RestRoutes._update_branch),
    (r"/issues", "GET", RestRoutes._issues),
    (r"/issues/(\d+)", "GET", RestRoutes._issue),
    (r"/issues/(\d+)/comments", "GET", RestRoutes._comments),
    (r"/issues/(\d+)/comments", "POST", RestRoutes._comment),
]
