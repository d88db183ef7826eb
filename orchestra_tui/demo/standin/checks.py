"""How GitHub's REST API renders the stand-in's check runs and Actions jobs (schemas:
api.github.com.json `check-run` and `job`), and the plain-text job log a log download lands on.
Stdlib only: the demo ships this."""

from __future__ import annotations

from typing import Any

from orchestra_tui.demo.standin.state import SCheck, SPull, SRepo, user_json

ACTIONS_APP = "github-actions"
# Where the stand-in serves a job's log: GitHub redirects a log download to blob storage.
LOG_BLOBS = "/_blobs/jobs"
_STAMP = "2026-01-05T09:00:00.0000000Z"


def _app_json(api: str, slug: str) -> dict[str, Any]:
    owner = user_json(api, "github")
    return {
        "id": 15368 if slug == ACTIONS_APP else 1000 + len(slug), "slug": slug,
        "node_id": f"MDM6QXBw{slug}", "client_id": f"Iv1.{slug}", "owner": owner,
        "name": "GitHub Actions" if slug == ACTIONS_APP else slug,
        "description": "", "external_url": f"https://github.com/apps/{slug}",
        "html_url": f"https://github.com/apps/{slug}",
        "created_at": "2018-07-30T09:30:17Z", "updated_at": "2024-04-10T20:33:16Z",
        "permissions": {"checks": "write", "metadata": "read"}, "events": ["check_run"],
    }


def _conclusion(check: SCheck) -> str | None:
    if check.status != "COMPLETED" or check.conclusion is None:
        return None
    return check.conclusion.lower()


def _run_status(check: SCheck) -> str:
    return {"QUEUED": "queued", "IN_PROGRESS": "in_progress"}.get(check.status, "completed")


def html_url(repo: SRepo, check: SCheck) -> str:
    if check.app == ACTIONS_APP:
        return f"https://github.com/{repo.full_name}/actions/runs/{check.id}/job/{check.id}"
    return check.url or f"https://github.com/{repo.full_name}/runs/{check.id}"


def check_run_json(api: str, repo: SRepo, pr: SPull, check: SCheck) -> dict[str, Any]:
    base = f"{api}/repos/{repo.full_name}"
    done = check.status == "COMPLETED"
    return {
        "id": check.id, "node_id": f"CR_kwDO{check.id}", "head_sha": pr.head_sha,
        "external_id": str(check.id), "url": f"{base}/check-runs/{check.id}",
        "html_url": html_url(repo, check), "details_url": check.url or html_url(repo, check),
        "status": _run_status(check), "conclusion": _conclusion(check),
        "started_at": pr.created_at, "completed_at": pr.updated_at if done else None,
        "output": {"title": check.summary.splitlines()[0] if check.summary else None,
                   "summary": check.summary or None, "text": None, "annotations_count": 0,
                   "annotations_url": f"{base}/check-runs/{check.id}/annotations"},
        "name": check.name, "check_suite": {"id": check.id + 1},
        "app": _app_json(api, check.app),
        "pull_requests": [{
            "id": pr.number, "number": pr.number,
            "url": f"{base}/pulls/{pr.number}",
            "head": {"ref": pr.head_ref, "sha": pr.head_sha,
                     "repo": {"id": repo.id, "url": base, "name": repo.name}},
            "base": {"ref": pr.base_ref, "sha": repo.base_sha,
                     "repo": {"id": repo.id, "url": base, "name": repo.name}},
        }],
    }


def job_json(api: str, repo: SRepo, pr: SPull, check: SCheck) -> dict[str, Any]:
    base = f"{api}/repos/{repo.full_name}"
    steps = [{"name": name, "status": "completed", "conclusion": conclusion.lower(),
              "number": number, "started_at": pr.created_at, "completed_at": pr.updated_at}
             for number, (name, conclusion) in enumerate(check.steps, start=1)]
    return {
        "id": check.id, "run_id": check.id, "run_url": f"{base}/actions/runs/{check.id}",
        "run_attempt": 1, "node_id": f"CR_kwDO{check.id}", "head_sha": pr.head_sha,
        "url": f"{base}/actions/jobs/{check.id}", "html_url": html_url(repo, check),
        "status": _run_status(check), "conclusion": _conclusion(check),
        "created_at": pr.created_at, "started_at": pr.created_at,
        "completed_at": pr.updated_at if check.status == "COMPLETED" else None,
        "name": check.name, "steps": steps, "check_run_url": f"{base}/check-runs/{check.id}",
        "labels": ["ubuntu-latest"], "runner_id": 1, "runner_name": "GitHub Actions 1",
        "runner_group_id": 2, "runner_group_name": "GitHub Actions",
        "workflow_name": "CI", "head_branch": pr.head_ref,
    }


def job_log(check: SCheck) -> str:
    """The log as GitHub serves it: every line stamped with its time."""
    return "".join(f"{_STAMP} {line}\n" for line in check.log.splitlines())


def find_check(repo: SRepo, check_id: int) -> tuple[SPull, SCheck] | None:
    for pr in repo.pulls.values():
        for check in pr.checks:
            if check.id == check_id and check.kind == "CheckRun":
                return pr, check
    return None
