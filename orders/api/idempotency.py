"""Idempotent retries of POSTs (the IETF httpapi `Idempotency-Key` header draft).

The first request with a key claims it (committed at once, so a concurrent retry sees it), then acts; its answer is
stored in the same transaction as what it did, so "done" and "answered" can never disagree. A retry with the same
key and the same request gets the stored answer without acting again; the same key with another request gets 422;
a retry while the first is still running gets 409. Keys are per API client and kept IDEMPOTENCY_KEY_TTL_SECONDS.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed

from orders.models import ApiClient, IdempotencyKey

from .auth import BearerTokenAuthentication
from .errors import error_body, is_api_request

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# The answer's headers a replay repeats; the others are the server's of the moment.
REPLAYED_HEADERS = ("Content-Type", "Location", "X-Total-Count")
# A claim older than this whose request never finished belongs to a request that died: nothing it did was committed
# (its answer commits with its work), so the key may be taken again.
ABANDONED_AFTER = timedelta(minutes=1)
NOT_IDEMPOTENT_PATH_ENDINGS = ("/salesorders/search",)


class IdempotencyMiddleware:
    """Applies `Idempotency-Key` to the API's POSTs (searching excepted: it changes nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sent = request.headers.get(HEADER)
        if sent is None or not applies_to(request):
            return self.get_response(request)
        client = authenticated_client(request)
        if client is None:
            return self.get_response(request)  # the view answers 401 or 403
        key = sent.strip().strip('"')
        # the length as sent, and something besides blanks: the rule the OpenAPI document states
        if not key.strip() or len(sent) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
            return error(request, 400, f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.")
        try:
            record = claim_key(client, key, request_fingerprint(request))
        except KeyRefused as refusal:
            return error(request, refusal.status, str(refusal))
        if record.state == IdempotencyKey.State.DONE:
            return stored_answer(record)
        return self.act(request, record)

    def act(self, request: HttpRequest, claim: IdempotencyKey) -> HttpResponse:
        try:
            with transaction.atomic():
                response = self.get_response(request)
                if response.status_code < 400:
                    store_answer(claim, response)
        except BaseException:
            release(claim)
            raise
        if 400 <= response.status_code < 500:
            store_answer(claim, response)  # refused: nothing was done, and the same request is refused again
        elif response.status_code >= 500:
            release(claim)  # a retry may succeed
        return response


def applies_to(request: HttpRequest) -> bool:
    return (
        request.method == "POST"
        and is_api_request(request)
        and not request.path.startswith("/oauth/")
        and not request.path.endswith(NOT_IDEMPOTENT_PATH_ENDINGS)
    )


def authenticated_client(request: HttpRequest) -> ApiClient | None:
    try:
        authenticated = BearerTokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None
    return authenticated[0].client if authenticated else None


def request_fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


class KeyRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def claim_key(client: ApiClient, key: str, fingerprint: str) -> IdempotencyKey:
    """A new claim of `key` (IN_PROGRESS), or the record of the request that used it first (DONE).

    Raises KeyRefused: 422 when the key was used for another request, 409 while its first request still runs.
    """
    now = timezone.now()
    expired_before = now - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)
    IdempotencyKey.objects.filter(client=client, key=key, created__lt=expired_before).delete()
    IdempotencyKey.objects.filter(
        client=client, key=key, state=IdempotencyKey.State.IN_PROGRESS, created__lt=now - ABANDONED_AFTER
    ).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(client=client, key=key, fingerprint=fingerprint, created=now)
    except IntegrityError:
        existing = IdempotencyKey.objects.filter(client=client, key=key).first()
    if existing is None:  # released meanwhile: the first request failed and may be retried
        return claim_key(client, key, fingerprint)
    if existing.fingerprint != fingerprint:
        raise KeyRefused(422, f"This {HEADER} was used for a different request: use a new key for a new request.")
    if existing.state == IdempotencyKey.State.IN_PROGRESS:
        raise KeyRefused(409, f"The request with this {HEADER} is still being processed: retry later.")
    return existing


def store_answer(claim: IdempotencyKey, response: HttpResponse) -> None:
    IdempotencyKey.objects.filter(pk=claim.pk).update(
        state=IdempotencyKey.State.DONE,
        response_status=response.status_code,
        response_headers={name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)},
        response_body=bytes(response.content),
    )


def stored_answer(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body), status=record.response_status)
    for name, value in record.response_headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def release(claim: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=claim.pk, state=IdempotencyKey.State.IN_PROGRESS).delete()


def error(request: HttpRequest, status: int, message: str) -> JsonResponse:
    error_type = "conflict_resource" if status == 409 else "validation_violation"
    return JsonResponse(error_body(status, message, error_type=error_type, path=request.path), status=status)


def prune_expired_keys() -> int:
    """Delete the keys older than IDEMPOTENCY_KEY_TTL_SECONDS; returns how many."""
    expired_before = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)
    deleted, _ = IdempotencyKey.objects.filter(created__lt=expired_before).delete()
    return deleted
