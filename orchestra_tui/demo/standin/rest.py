"""The stand-in's REST routes: compare, a PR's files and review comments (`review_rest`),
merge, update-branch, issues and their comments.

A `RestRoutes` answers one request over a `Backend` with a `Reply`; bodies are built in `state`
to match GitHub's OpenAPI description (the tests check every answer against it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orchestra_tui.demo.standin import checks as ck
from orchestra_tui.demo.standin import review_rest
from orchestra_tui.demo.standin import state as st
from orchestra_tui.demo.standin.backend import Backend, Reply, error_reply
from orchestra_tui.demo.standin.state import SComment, SIssue, SPull, SRepo

_MERGE_DOCS = "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request"


@dataclass(frozen=True)
class RestRequest:
    method: str
    path: str  # decoded, for routing
    url_path: str  # as sent, for the Link header's pages
    query: dict[str, str]
    body: Any  # parsed JSON ({} when empty, None when not JSON)
    if_none_match: str | None = None


# A route's handler: (repository, request, rate headers, the pattern's groups) -> reply.
Handler = Callable[..., Reply]


class RestRoutes:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._routes: list[tuple[str, str, Handler]] = [
            (r"/compare/(.+?)\.\.\.(.+)", "GET", self._compare),
            (r"/pulls/(\d+)/files", "GET", self._files),
            (r"/pulls/(\d+)/comments", "POST", self._review_comment),
            (r"/commits/([^/]+)/check-runs", "GET", self._check_runs),
            (r"/actions/jobs/(\d+)", "GET", self._job),
            (r"/actions/jobs/(\d+)/logs", "GET", self._job_logs),
            (r"/pulls/(\d+)/merge", "PUT", self._merge),
            (r"/pulls/(\d+)/update-branch", "PUT", self._update_branch),
            (r"/issues", "GET", self._issues),
            (r"/issues/(\d+)", "GET", self._issue),
            (r"/issues/(\d+)/comments", "GET", self._comments),
            (r"/issues/(\d+)/comments", "POST", self._comment),
        ]

    def answer(self, request: RestRequest) -> Reply:
        backend = self.backend
        headers = backend.rate_headers("core")
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", request.path)
        repo = backend.repo(f"{match.group(1)}/{match.group(2)}") if match else None
        if match is None or repo is None:
            return error_reply(404, "Not Found", headers)
        backend.rest_remaining -= 1
        rest = match.group(3) or ""
        for pattern, verb, handler in self._routes:
            found = re.fullmatch(pattern, rest)
            if found and verb == request.method:
                return handler(repo, request, headers, *found.groups())
        return error_reply(404, "Not Found", headers)

    def _page(self, items: list[Any], request: RestRequest, headers: dict[str, str]) -> Reply:
        query = request.query
        per_page = max(1, min(100, int(query.get("per_page") or 30)))
        page = max(1, int(query.get("page") or 1))
        chunk = items[(page - 1) * per_page: page * per_page]
        links = []
        base = f"{self.backend.url}{request.url_path}"
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
        return Reply(200, chunk, headers)

    def _compare(self, repo: SRepo, request: RestRequest, headers: dict[str, str],
                 base: str, head: str) -> Reply:
        pr = next((p for p in repo.pulls.values()
                   if head in (p.head_sha, p.head_ref) and p.base_ref == base), None)
        if pr is None:
            return error_reply(404, "Not Found", headers)
        per_page = max(1, min(100, int(request.query.get("per_page") or 30)))
        data = st.comparison_json(self.backend.url, repo, base, head, pr, per_page)
        etag = '"' + st.sha_of(json.dumps(data, sort_keys=True)) + '"'
        wanted = request.if_none_match
        if wanted and wanted.strip() in (etag, f"W/{etag}"):
            self.backend.conditional_hits += 1
            self.backend.rest_remaining += 1  # a 304 is free
            return Reply(304, None, {**headers, "ETag": etag})
        return Reply(200, data, {**headers, "ETag": etag, "Cache-Control": "private, max-age=60"})

    def _files(self, repo: SRepo, request: RestRequest, headers: dict[str, str],
               number: str) -> Reply:
        pr = repo.pulls.get(int(number))
        if pr is None:
            return error_reply(404, "Not Found", headers)
        api = self.backend.url
        return self._page([review_rest.file_json(api, repo, pr, f) for f in pr.files],
                          request, headers)

    def _review_comment(self, repo: SRepo, request: RestRequest, headers: dict[str, str],
                        number: str) -> Reply:
        pr = repo.pulls.get(int(number))
        if pr is None:
            return error_reply(404, "Not Found", headers)
        field = review_rest.comment_refusal(pr, request.body)
        if field is not None:
            return Reply(422, {"message": "Validation Failed", "documentation_url": st.DOCS,
                               "errors": [{"resource": "PullRequestReviewComment",
                                           "field": field, "code": "invalid"}]}, headers)
        thread, comment = review_rest.add_review_comment(pr, request.body)
        answer = review_rest.review_comment_json(self.backend.url, repo, pr, thread, comment,
                                                 request.body)
        return Reply(201, answer, {**headers, "Location": answer["url"]})
    def _check_runs(self, repo: SRepo, request: RestRequest, headers: dict[str, str],
                    ref: str) -> Reply:
        pr = next((p for p in repo.pulls.values() if ref in (p.head_sha, p.head_ref)), None)
        if pr is None:
            return Reply(422, {"message": f"No commit found for SHA: {ref}",
                               "documentation_url": st.DOCS}, headers)
        runs = [ck.check_run_json(self.backend.url, repo, pr, c) for c in pr.checks
                if c.kind == "CheckRun"]
        per_page = max(1, min(100, int(request.query.get("per_page") or 30)))
        return Reply(200, {"total_count": len(runs), "check_runs": runs[:per_page]}, headers)

    def _job(self, repo: SRepo, request: RestRequest, headers: dict[str, str],
             job_id: str) -> Reply:
        found = ck.find_check(repo, int(job_id))
        if found is None or found[1].app != ck.ACTIONS_APP:
            return error_reply(404, "Not Found", headers)
        return Reply(200, ck.job_json(self.backend.url, repo, *found), headers)

    def _job_logs(self, repo: SRepo, request: RestRequest, headers: dict[str, str],
                  job_id: str) -> Reply:
        found = ck.find_check(repo, int(job_id))
        if found is None or found[1].app != ck.ACTIONS_APP:
            return error_reply(404, "Not Found", headers)
        where = f"{self.backend.url}{ck.LOG_BLOBS}/{repo.full_name}/{job_id}"
        return Reply(302, None, {**headers, "Location": where})

    def log_blob(self, path: str) -> Reply:
        """A job's log where a log download was redirected: plain text, like GitHub's."""
        match = re.fullmatch(re.escape(ck.LOG_BLOBS) + r"/([^/]+/[^/]+)/(\d+)", path)
        repo = self.backend.repo(match.group(1)) if match else None
        found = ck.find_check(repo, int(match.group(2))) if repo and match else None
        if found is None:
            return error_reply(404, "Not Found")
        return Reply(200, ck.job_log(found[1]), {"Content-Type": "text/plain"})

    def _merge(self, repo: SRepo, request: RestRequest, headers: dict[str, str],
               number: str) -> Reply:
        pr = repo.pulls.get(int(number))
        if pr is None:
            return error_reply(404, "Not Found", headers)
        body = request.body if isinstance(request.body, dict) else {}
        method = body.get("merge_method", "merge")
        if method not in ("merge", "squash", "rebase"):
            return Reply(422, {"message": "Invalid request.", "documentation_url": st.DOCS,
                               "errors": [{"resource": "PullRequest", "field": "merge_method",
                                           "code": "invalid"}]}, headers)
        sha = body.get("sha")
        if pr.state == "OPEN" and sha and sha != pr.head_sha:
            return Reply(409, {"message": "Head branch was modified. Review and try the merge "
                                          "again.",
                               "documentation_url": _MERGE_DOCS}, headers)
        refusal = st.merge_refusal(repo, pr)
        if refusal:
            return Reply(405, {"message": refusal, "documentation_url": _MERGE_DOCS}, headers)
        merged = st.sha_of("merge", pr.head_sha, repo.base_sha)
        pr.state = "MERGED"
        self.backend.merges.append((repo.full_name, pr.number, pr.head_sha))
        repo.base_sha = merged
        for other in repo.pulls.values():
            if other.state == "OPEN":
                other.behind_by += 1
        return Reply(200, {"sha": merged, "merged": True,
                           "message": "Pull Request successfully merged"}, headers)

    def _update_branch(self, repo: SRepo, request: RestRequest, headers: dict[str, str],
                       number: str) -> Reply:
        pr = repo.pulls.get(int(number))
        if pr is None:
            return error_reply(404, "Not Found", headers)
        if pr.state != "OPEN":
            return error_reply(422, "Pull request is not open", headers)
        body = request.body
        expected = body.get("expected_head_sha") if isinstance(body, dict) else None
        if expected and expected != pr.head_sha:
            return Reply(422, {"message": "expected head sha didn’t match current head ref.",
                               "documentation_url": st.DOCS}, headers)
        if pr.update_ready_at is None:
            pr.update_ready_at = self.backend.clock() + st.UPDATE_BRANCH_DELAY
        return Reply(202, {"message": "Updating pull request branch.",
                           "url": f"https://github.com/{repo.full_name}/pull/{pr.number}"},
                     headers)

    def _issues(self, repo: SRepo, request: RestRequest, headers: dict[str, str]) -> Reply:
        wanted = request.query.get("state", "open")
        items: list[SIssue | SPull] = [*repo.issues.values(), *repo.pulls.values()]
        items = [i for i in items if wanted == "all" or (i.state.lower() == "open") == (
            wanted == "open")]
        items.sort(key=lambda i: i.number, reverse=True)
        api = self.backend.url
        return self._page([st.issue_json(api, repo, i) for i in items], request, headers)

    def _issue(self, repo: SRepo, request: RestRequest, headers: dict[str, str],
               number: str) -> Reply:
        item = _item(repo, number)
        if item is None:
            return error_reply(404, "Not Found", headers)
        return Reply(200, st.issue_json(self.backend.url, repo, item), headers)

    def _comments(self, repo: SRepo, request: RestRequest, headers: dict[str, str],
                  number: str) -> Reply:
        item = _item(repo, number)
        if item is None:
            return error_reply(404, "Not Found", headers)
        api = self.backend.url
        return self._page([st.comment_json(api, repo, item.number, c) for c in item.comments],
                          request, headers)

    def _comment(self, repo: SRepo, request: RestRequest, headers: dict[str, str],
                 number: str) -> Reply:
        item = _item(repo, number)
        if item is None:
            return error_reply(404, "Not Found", headers)
        body = request.body
        text = body.get("body") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text:
            return Reply(422, {"message": "Validation Failed", "documentation_url": st.DOCS,
                               "errors": [{"resource": "IssueComment", "field": "body",
                                           "code": "missing_field"}]}, headers)
        comment = SComment("octo-person", text, st.now_iso())
        item.comments.append(comment)
        api = self.backend.url
        url = f"{api}/repos/{repo.full_name}/issues/comments/{comment.id}"
        return Reply(201, st.comment_json(api, repo, item.number, comment),
                     {**headers, "Location": url})


def _item(repo: SRepo, number: str) -> SIssue | SPull | None:
    """An issue or a pull request by number (GitHub's issues API serves both)."""
    return repo.issues.get(int(number)) or repo.pulls.get(int(number))
