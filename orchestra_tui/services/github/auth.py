"""Where GitHub is and which token to use: environment first, then the `gh` CLI.

The token is only ever returned to the caller; nothing here prints or logs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from urllib.parse import urlsplit

from orchestra_tui.errors import GitHubError

DEFAULT_API = "https://api.github.com"


def resolve_urls(api_url: str | None = None,
                 host: str | None = None) -> tuple[str, str, str | None]:
    """(REST base, GraphQL URL, host for `gh auth token --hostname`) from arguments and env."""
    api = api_url or os.environ.get("ORCHESTRA_GITHUB_API")
    if api:
        api = api.rstrip("/")
        return api, f"{api}/graphql", None
    host = (host or os.environ.get("GH_HOST") or "").strip()
    if "://" in host:
        host = urlsplit(host).netloc
    host = host.strip("/")
    if host and host.lower() not in ("github.com", "api.github.com"):
        return f"https://{host}/api/v3", f"https://{host}/api/graphql", host
    return DEFAULT_API, f"{DEFAULT_API}/graphql", None


def token_from_env() -> str | None:
    for name in ("GH_TOKEN", "GITHUB_TOKEN"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def token_from_gh(host: str | None = None) -> str | None:
    """`gh auth token` (blocking: call it off the event loop); None when gh is absent or fails."""
    gh = shutil.which("gh")
    if not gh:
        return None
    args = [gh, "auth", "token"] + (["--hostname", host] if host else [])
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=10, check=False,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    token = done.stdout.strip() if done.returncode == 0 else ""
    return token or None


def split_repo(repo: str) -> tuple[str, str]:
    owner, _, name = repo.strip().partition("/")
    if not owner or not name or "/" in name:
        raise GitHubError(f"not a repository name: {repo!r} (expected owner/name)",
                          kind="not_found")
    return owner, name
