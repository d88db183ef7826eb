"""Why a check on a pull request's head failed, read over REST (`GitHubService.failed_checks`).

Requests for one head commit: the check runs of the commit (1), and for each failed GitHub
Actions job its steps (`/actions/jobs/{id}`, 1) and its log (`/actions/jobs/{id}/logs`, 1: a
302 to blob storage, which the HTTP client follows). Another app's check run is read from the
list alone: its output's summary and its URL. A job whose log cannot be read still reports its
failing step.

>>> log_tail("2026-01-05T09:00:00.0000000Z a\\n2026-01-05T09:00:01.1Z b\\n\\nc\\n", lines=2)
'b\\nc'
"""

from __future__ import annotations

import re
from typing import Any

from ghapi.core import GhApi
from ghapi.graphql import GhGql

from orchestra_tui.errors import GitHubError
from orchestra_tui.pr_facts import CheckFailure
from orchestra_tui.services.github.auth import split_repo
from orchestra_tui.services.github.client import GitHubClient
from orchestra_tui.services.github.parse import plain, text_of

__all__ = ["ACTIONS_APP", "FAILED_CONCLUSIONS", "GitHubChecks", "LOG_TAIL_LINES", "log_tail"]

ACTIONS_APP = "github-actions"
FAILED_CONCLUSIONS = frozenset({"failure", "timed_out", "cancelled", "action_required",
                                "startup_failure", "stale"})
LOG_TAIL_LINES = 40
LOG_TAIL_CHARS = 6000
MAX_JOBS = 5  # failed Actions jobs read in full per head commit; the rest by name and URL
_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z ?")


def log_tail(log: str, lines: int = LOG_TAIL_LINES) -> str:
    """The last `lines` non-empty lines of a job's log without GitHub's timestamps."""
    kept = [_STAMP.sub("", line).rstrip() for line in log.splitlines()]
    tail = "\n".join([line for line in kept if line.strip()][-lines:])
    return tail[-LOG_TAIL_CHARS:]


def _failing_step(job: dict[str, Any]) -> str:
    for step in job.get("steps") or ():
        if str(step.get("conclusion") or "") in FAILED_CONCLUSIONS:
            return text_of(step.get("name"))
    return ""


class GitHubChecks:
    """Failed checks of a head commit, with the step and log tail of each Actions job."""

    def __init__(self, client: GitHubClient) -> None:
        self._client = client

    async def failed_checks(self, repo: str, head_sha: str) -> tuple[CheckFailure, ...]:
        owner, name = split_repo(repo)

        async def runs(api: GhApi, _gql: GhGql) -> Any:
            return plain(await api.checks.list_for_ref(owner=owner, repo=name, ref=head_sha,
                                                       filter="latest", per_page=100))

        body = await self._client.call(f"check runs of {repo}@{head_sha[:7]}", runs)
        failed = [run for run in (body or {}).get("check_runs") or ()
                  if str(run.get("conclusion") or "") in FAILED_CONCLUSIONS]
        out: list[CheckFailure] = []
        jobs_read = 0
        for run in failed:
            slug = str(((run.get("app") or {}).get("slug")) or "")
            output = run.get("output") or {}
            summary = "\n".join(text_of(part) for part in (output.get("title"),
                                                          output.get("summary")) if part)
            failure = CheckFailure(
                name=text_of(run.get("name")), conclusion=str(run.get("conclusion")),
                url=text_of(run.get("html_url") or run.get("details_url")), summary=summary)
            if slug == ACTIONS_APP and jobs_read < MAX_JOBS:
                jobs_read += 1
                failure = await self._with_job(owner, name, int(run["id"]), failure)
            out.append(failure)
        return tuple(out)

    async def _with_job(self, owner: str, name: str, job_id: int,
                        failure: CheckFailure) -> CheckFailure:
        async def job(api: GhApi, _gql: GhGql) -> Any:
            return plain(await api.actions.get_job_for_workflow_run(
                owner=owner, repo=name, job_id=job_id))

        async def log(api: GhApi, _gql: GhGql) -> str:
            response = await api.actions.download_job_logs_for_workflow_run(
                owner=owner, repo=name, job_id=job_id, raw_=True)
            text: str = response.text
            return text

        step = _failing_step(await self._client.call(f"job {job_id} of {owner}/{name}", job))
        try:
            tail = log_tail(await self._client.call(f"log of job {job_id}", log))
        except GitHubError as error:
            if error.kind == "rate_limited":
                raise
            tail = ""  # logs expire (410) or need admin rights (403): the step still tells
        return CheckFailure(failure.name, failure.conclusion, failure.url, failure.summary,
                            step=step, log_tail=text_of(tail), job_id=job_id)
