"""Schemathesis hooks for the signed run of ops/contract.sh.

Signs every webhook Schemathesis sends with the service's WEBHOOK_SECRET (read from
CONTRACT_WEBHOOK_SECRET): HMAC-SHA256 of the exact body bytes the request will carry, hex, in
X-Signature (docs/API.md "The webhook"). The check `signed_webhook_not_refused` then fails any
webhook answered 401, which the document allows in general but which a correctly signed
webhook must never get.

Loaded through SCHEMATHESIS_HOOKS=sign_webhooks with this directory on PYTHONPATH.
"""

import hashlib
import hmac
import json
import os

import schemathesis

SECRET = os.environ["CONTRACT_WEBHOOK_SECRET"].encode("utf-8")
WEBHOOK = ("POST", "/api/v1/webhooks/bep20")


def _is_webhook(case):
    return (case.method.upper(), case.path) == WEBHOOK


def _body_bytes(case):
    """The bytes the requests transport sends for this case's JSON body, or None when the
    body is not JSON (the service answers 415 before it looks at a signature)."""
    media_type = (case.media_type or "application/json").split(";")[0].strip().lower()
    if media_type != "application/json":
        return None
    body = case.body
    if type(body).__name__ == "NotSet":
        return b""
    if isinstance(body, bytes):
        return body
    if body is None:
        return b"null"
    try:
        # What requests does with `json=`: the standard encoder, then UTF-8.
        return json.dumps(body, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):
        return None


@schemathesis.hook
def before_call(context, case, **kwargs):
    if not _is_webhook(case):
        return
    raw = _body_bytes(case)
    if raw is None:
        return
    if case.headers is None:
        case.headers = {}
    case.headers["X-Signature"] = "sha256=" + hmac.new(SECRET, raw, hashlib.sha256).hexdigest()


@schemathesis.check
def signed_webhook_not_refused(ctx, response, case):
    if _is_webhook(case) and response.status_code == 401 and _body_bytes(case) is not None:
        raise AssertionError(f"a webhook signed with WEBHOOK_SECRET was refused: {response.text[:200]}")
    return None
