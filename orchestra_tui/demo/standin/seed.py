"""The demo's GitHub world: two repositories whose PRs show every state orchestra handles.

Lanes the demo config should give its agents (repo, branch glob):
`api` acme/shop `api/*`, `web` acme/shop `web/*`, `docs` acme/docs `*`. PR #104 (a `renovate/`
branch) belongs to no lane: it shows as unassigned.

| PR | what it shows |
|---|---|
| acme/shop#101 | threads: Bugbot (high), CodeRabbit (major), Copilot, human; `ci/test` fails |
| acme/shop#101 | (its job's step, log); lee still requests changes; Bugbot COMMENTED review |
| acme/shop#102 | behind base by 3 commits (BEHIND): update-branch fixes it |
| acme/shop#103 | ready to merge: approved, checks passing, threads resolved |
| acme/shop#104 | unassigned; checks pending; CodeRabbit minor finding |
| acme/shop#105 | draft |
| acme/shop#106 | merge conflicts (DIRTY) |
| acme/docs#7   | review required; one outdated thread (hidden) |
"""

from __future__ import annotations

from orchestra_tui.demo.standin.backend import Backend
from orchestra_tui.demo.standin.state import (
    SCheck,
    SComment,
    SFile,
    SIssue,
    SPull,
    SReview,
    SThread,
)

BUGBOT_HIGH = """### Webhook retry ignores the attempt limit

**High Severity**

<!-- DESCRIPTION START -->
`retry_webhook` re-enqueues the delivery on every 5xx without checking `attempts`, so an
endpoint that keeps failing is retried forever and floods the queue.
<!-- DESCRIPTION END -->

<!-- BUGBOT_BUG_ID: 4f3c2a1e-9d7b-4c1a-8e2f-6b5d4c3a2b1c -->

<a href="https://cursor.com/open?data=demo">Fix in Cursor</a>"""

BUGBOT_LOW = """### Log line repeats the payload

**Low Severity**

<!-- DESCRIPTION START -->
The debug log prints the full payload twice.
<!-- DESCRIPTION END -->

<!-- BUGBOT_BUG_ID: 0a9b8c7d-1111-4c1a-8e2f-6b5d4c3a2b1c -->"""

CODERABBIT_MAJOR = """_⚠️ Potential issue_ | _🟠 Major_

**Guard against a missing signature header.**

`request.headers["X-Signature"]` raises `KeyError` when the header is absent, which turns an
unsigned request into a 500 instead of a 401.

<details>
<summary>🤖 Prompt for AI Agents</summary>

In app/webhooks.py around line 42, use `request.headers.get("X-Signature")` and return 401
when it is missing.
</details>

<!-- fingerprinting:phantom:medusa:demo -->"""

CODERABBIT_MINOR = """_🛠️ Refactor suggestion_ | _🟡 Minor_

**Pin the lock file update to the same minor version.**

The bump moves `httpx` across a minor version; pin it to avoid surprise changes."""

COPILOT = """The variable name `tmp` does not say what it holds; consider `pending_deliveries`.

```suggestion
pending_deliveries = queue.pending()
```"""

# PR #101's change, as GitHub's per-file patches (the reviewable diff of the demo: `d`).
WEBHOOKS_PATCH = """@@ -36,6 +36,20 @@ def verify(request):
     return hmac.compare_digest(expected, given)
-def retry_webhook(delivery):
-    queue.put(delivery)
+def retry_webhook(delivery, attempts=0):
+    \"\"\"Deliver again after a 5xx from the provider.\"\"\"
+    signature = request.headers["X-Signature"]
+    if not signature:
+        return 401
+    tmp = queue.pending()
+    for pending in tmp:
+        if pending.id == delivery.id:
+            return 409
+    delay = BACKOFF_SECONDS * 2 ** attempts
+    log.debug("retrying %s: %s", delivery.payload, delivery.payload)
+    queue.put(delivery, delay=delay)
+    metrics.increment("webhook.retry")
+    return 202
+def give_up(delivery):
+    queue.drop(delivery)
 def handle(request):
     delivery = Delivery.from_request(request)
     response = provider.send(delivery)
@@ -52,3 +66,3 @@ def handle(request):
     if response.status >= 500:
-        retry_webhook(delivery)
+        retry_webhook(delivery, attempts=delivery.attempts)
     return response.status
"""
QUEUE_PATCH = """@@ -8,4 +8,6 @@ class Queue:
     def put(self, item):
         self.items.append(item)
+    def pending(self):
+        return [item for item in self.items if not item.done]
     def drop(self, item):
         self.items.remove(item)
"""

HUMAN = "Can we log the attempt number here? It would make the retries easier to follow."

TEST_STEPS = [("Set up job", "SUCCESS"), ("Install dependencies", "SUCCESS"),
              ("Run pytest", "FAILURE"), ("Upload coverage", "SKIPPED")]
TEST_LOG = """\
##[group]Run pytest -q
pytest -q
##[endgroup]
........................F.....
=================================== FAILURES ===================================
_____________________ test_retry_stops_after_max_attempts ______________________

    def test_retry_stops_after_max_attempts():
        endpoint = FlakyEndpoint(status=503)
        retry_webhook(delivery(endpoint))
>       assert endpoint.calls == MAX_ATTEMPTS
E       assert 41 == 5
E        +  where 41 = <FlakyEndpoint status=503>.calls

tests/test_webhooks.py:88: AssertionError
=========================== short test summary info ============================
FAILED tests/test_webhooks.py::test_retry_stops_after_max_attempts - assert 41 == 5
1 failed, 29 passed in 3.21s
##[error]Process completed with exit code 1."""

BUGBOT_REVIEW = """Bugbot reviewed your changes and found 1 potential issue.

**Medium Severity**: `retry_webhook` swallows the provider's `Retry-After` header, so a
throttled endpoint is hammered at the fixed backoff."""

CHANGES_REQUESTED = "The retry loop needs an upper bound before this can go in."


def seed_demo(backend: Backend) -> None:
    shop = backend.add_repo("acme/shop")
    docs = backend.add_repo("acme/docs")

    def ci(test: str = "SUCCESS", lint: str = "SUCCESS") -> list[SCheck]:
        failing = test != "SUCCESS"
        return [
            SCheck("ci/test", conclusion=test, required=True,
                   url="https://github.com/acme/shop/actions/runs/1",
                   steps=TEST_STEPS if failing else [("Run pytest", "SUCCESS")],
                   log=TEST_LOG if failing else "30 passed in 3.02s"),
            SCheck("lint", conclusion=lint, url="https://github.com/acme/shop/actions/runs/2"),
            SCheck("Cursor Bugbot", conclusion="NEUTRAL", app="cursor"),  # neutral with findings
        ]

    shop.pulls[101] = SPull(
        101, "Retry payment webhook on 5xx", "api/webhook-retry",
        review_decision="CHANGES_REQUESTED", checks=ci(test="FAILURE"),
        updated_at="2026-01-05T12:00:00Z",
        reviews=[SReview("lee", "CHANGES_REQUESTED", CHANGES_REQUESTED, "2026-01-05T10:20:00Z"),
                 SReview("cursor", "COMMENTED", BUGBOT_REVIEW, "2026-01-05T10:04:00Z")],
        files=[SFile("app/webhooks.py", WEBHOOKS_PATCH), SFile("app/queue.py", QUEUE_PATCH),
               SFile("docs/retries.md", "@@ -0,0 +1,2 @@\n+# Retries\n+Five attempts, then "
                     "give up.", status="added")],
        threads=[
            SThread("app/webhooks.py", 57, [SComment("cursor", BUGBOT_HIGH,
                                                     "2026-01-05T10:05:00Z")]),
            SThread("app/webhooks.py", 42, [SComment("coderabbitai", CODERABBIT_MAJOR,
                                                     "2026-01-05T10:07:00Z")]),
            SThread("app/queue.py", 12, [SComment("copilot-pull-request-reviewer", COPILOT,
                                                  "2026-01-05T10:09:00Z")]),
            SThread("app/webhooks.py", 60, [SComment("maria", HUMAN, "2026-01-05T11:30:00Z"),
                                            SComment("octo-agent", "Will do.",
                                                     "2026-01-05T11:40:00Z")]),
            SThread("app/webhooks.py", 80, [SComment("cursor", BUGBOT_LOW, "2026-01-05T10:01:00Z")],
                    is_resolved=True),
            SThread("app/webhooks.py", 35, [SComment("lee", "Cap the attempts at MAX_ATTEMPTS.",
                                                     "2026-01-05T10:19:00Z")], is_resolved=True),
            SThread("app/old.py", 3, [SComment("coderabbitai", CODERABBIT_MAJOR,
                                               "2026-01-04T10:00:00Z")], is_outdated=True),
        ])
    shop.pulls[102] = SPull(102, "Cart: debounce quantity input", "web/cart-debounce",
                            checks=ci(), behind_by=3, updated_at="2026-01-05T11:00:00Z")
    shop.pulls[103] = SPull(
        103, "Add order export endpoint", "api/order-export", checks=ci(),
        updated_at="2026-01-05T11:30:00Z",
        threads=[SThread("app/export.py", 9, [SComment("coderabbitai", CODERABBIT_MAJOR,
                                                        "2026-01-05T09:30:00Z")],
                         is_resolved=True)])
    shop.pulls[104] = SPull(
        104, "Bump httpx to 0.28", "renovate/httpx-0.x", author="renovate",
        review_decision=None, updated_at="2026-01-05T08:00:00Z",
        checks=[SCheck("ci/test", status="IN_PROGRESS", conclusion=None, required=True),
                SCheck("lint"),
                SCheck("deploy/preview", kind="StatusContext", state="PENDING")],
        threads=[SThread("requirements.txt", 4, [SComment("coderabbitai", CODERABBIT_MINOR,
                                                          "2026-01-05T08:10:00Z")])])
    shop.pulls[105] = SPull(105, "WIP: search by SKU", "web/search", draft=True,
                            review_decision="REVIEW_REQUIRED", checks=ci(),
                            updated_at="2026-01-05T07:00:00Z")
    shop.pulls[106] = SPull(106, "Refactor pricing rules", "api/pricing", mergeable="CONFLICTING",
                            checks=ci(), updated_at="2026-01-05T06:00:00Z")
    shop.issues[90] = SIssue(
        90, "Webhook retries flood the log", "Every 5xx from the payment provider logs the full "
        "payload twice.", labels=["bug"],
        comments=[SComment("maria", "Seen again on Friday's deploy.", "2026-01-04T10:00:00Z")])
    shop.issues[91] = SIssue(91, "Export orders as CSV", "Finance wants a daily CSV export.",
                             labels=["enhancement"])

    docs.pulls[7] = SPull(
        7, "Document the webhook retry policy", "docs/webhooks",
        review_decision="REVIEW_REQUIRED", updated_at="2026-01-05T09:00:00Z",
        checks=[SCheck("docs/build", required=True)],
        threads=[SThread("webhooks.md", 5, [SComment("maria", "Typo: recieve",
                                                     "2026-01-05T09:10:00Z")],
                         is_outdated=True)])
    docs.issues[3] = SIssue(3, "Getting started page is out of date", labels=["docs"])
