"""Turn what GitHub (or the network) answered into one `GitHubError` a person can act on.

Every message here is built from the operation's label, the HTTP status and GitHub's own
`message` field: never from request headers, so the token cannot leak into one. The service
scrubs the token out of every message once more before raising (belt and braces).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from orchestra_tui.errors import GitHubError

# Seconds to hold off when GitHub refuses for rate reasons without saying until when.
DEFAULT_BACKOFF = 60.0


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    return value


def rate_limit_reset(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Epoch seconds GitHub says to wait until: `Retry-After` (seconds) wins over
    `X-RateLimit-Reset` (epoch), as GitHub's secondary limits document."""
    now = time.time() if now is None else now
    retry_after = _header(headers, "Retry-After")
    if retry_after:
        try:
            return now + max(0.0, float(retry_after))
        except ValueError:
            pass
    reset = _header(headers, "X-RateLimit-Reset")
    if reset:
        try:
            return float(reset)
        except ValueError:
            pass
    return None


def is_rate_limited(status: int, headers: Mapping[str, str] | None, message: str) -> bool:
    if status == 429:
        return True
    if status != 403:
        return False
    return (_header(headers, "X-RateLimit-Remaining") == "0"
            or _header(headers, "Retry-After") is not None
            or "rate limit" in message.lower())


def _clock(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch))


def rate_limited_error(label: str, reset_at: float | None, status: int | None = None,
                       now: float | None = None) -> GitHubError:
    now = time.time() if now is None else now
    if reset_at is None:
        reset_at = now + DEFAULT_BACKOFF
    wait = max(0, int(reset_at - now + 0.999))
    return GitHubError(
        f"GitHub rate limit reached ({label}); orchestra waits until {_clock(reset_at)} "
        f"({wait}s) before calling again",
        kind="rate_limited", status=status, reset_at=reset_at)


def error_from_status(status: int, headers: Mapping[str, str] | None, message: str,
                      label: str, now: float | None = None) -> GitHubError:
    """The error for an HTTP error answer. `message` is GitHub's body `message` (may be '');
    `now` is the service's clock, against which a rate limit's wait is counted."""
    said = f": {message}" if message else ""
    if is_rate_limited(status, headers, message):
        return rate_limited_error(label, rate_limit_reset(headers, now), status, now)
    if status == 401:
        return GitHubError(
            f"GitHub rejected the token ({label}, HTTP 401{said}); set GH_TOKEN or GITHUB_TOKEN, "
            "or run `gh auth login`", kind="auth", status=status)
    if status == 403:
        return GitHubError(f"GitHub refused {label} (HTTP 403{said}); the token lacks access",
                           kind="auth", status=status)
    if status == 404:
        return GitHubError(
            f"GitHub: not found ({label}, HTTP 404); check the repository name and that the "
            "token can see it", kind="not_found", status=status)
    if status == 405:
        return GitHubError(f"not mergeable now ({label}){said}", kind="not_mergeable",
                           status=status)
    if status == 409:
        return GitHubError(f"head moved, re-check ({label}){said}", kind="head_moved",
                           status=status)
    if status >= 500:
        return GitHubError(f"GitHub server error ({label}, HTTP {status}); try again shortly",
                           kind="server", status=status)
    return GitHubError(f"GitHub refused {label} (HTTP {status}{said})", kind="error",
                       status=status)


def body_message(body: Any) -> str:
    """GitHub's error text from a decoded JSON body (`{"message": ...}`), or ''."""
    if isinstance(body, Mapping):
        message = body.get("message")
        if isinstance(message, str):
            return message.strip().splitlines()[0][:300] if message.strip() else ""
    return ""


def timeout_error(label: str, seconds: float) -> GitHubError:
    return GitHubError(f"GitHub did not answer {label} within {seconds:g}s", kind="timeout")


def _network_detail(exc: BaseException) -> str:
    """What went wrong underneath httpx's wrapper: refused, unreachable, name lookup, ..."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError) or "refused" in str(current).lower():
            return "connection refused"
        if isinstance(current, OSError) and "name" in str(current).lower() and (
                "resolution" in str(current).lower() or "not known" in str(current).lower()):
            return "host name not found"
        current = current.__cause__ or current.__context__
    return type(exc).__name__


def network_error(label: str, host: str, exc: BaseException) -> GitHubError:
    detail = _network_detail(exc)
    return GitHubError(f"cannot reach GitHub at {host} ({label}): {detail}", kind="network")


def graphql_error(errors: list[Any], label: str, headers: Mapping[str, str] | None,
                  now: float | None = None) -> GitHubError:
    """The error for a GraphQL answer carrying `errors` (HTTP 200)."""
    first = errors[0] if errors and isinstance(errors[0], Mapping) else {}
    kind_of = str(first.get("type") or "").upper()
    message = str(first.get("message") or "GraphQL error")[:300]
    if kind_of == "RATE_LIMITED" or "rate limit" in message.lower():
        return rate_limited_error(label, rate_limit_reset(headers, now), None, now)
    if kind_of == "NOT_FOUND":
        return GitHubError(f"GitHub: not found ({label}): {message}", kind="not_found")
    if kind_of in ("FORBIDDEN", "INSUFFICIENT_SCOPES"):
        return GitHubError(f"GitHub refused {label}: {message}", kind="auth")
    return GitHubError(f"GitHub GraphQL error ({label}): {message}", kind="error")
