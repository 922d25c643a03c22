"""One POST helper for Shopify: timeouts, bounded 429 retries, errors without secrets."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import requests

from shopify_app.shopify.errors import (
    ShopifyHttpError,
    ShopifyThrottledError,
    ShopifyUnavailableError,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4  # the first try and up to three retries
MAX_WAIT_SECONDS = 5.0  # never sleep longer than this inside a request thread
RETRYABLE_STATUSES = {429, 502, 503, 504}


@dataclass(frozen=True)
class JsonResponse:
    status: int
    body: Any  # parsed JSON, or None when the body was not JSON


def retry_after_seconds(value: str | None, attempt: int) -> float:
    """Seconds to wait: Shopify's Retry-After when given, else exponential backoff; bounded."""
    try:
        wait = float(value) if value else 0.25 * 2**attempt
    except ValueError:
        wait = 0.25 * 2**attempt
    if not math.isfinite(wait):  # "nan" and "inf" parse as floats
        wait = 0.25 * 2**attempt
    return min(max(wait, 0.0), MAX_WAIT_SECONDS)


def post_json(
    url: str,
    payload: dict[str, Any],
    *,
    headers: dict[str, str],
    timeout: tuple[float, float],
    what: str,
) -> JsonResponse:
    """POST `payload` as JSON; retry 429 and gateway errors; raise typed errors.

    `what` names the call in logs and messages (e.g. "token exchange for x.myshopify.com"); the
    URL is safe to log, headers and payload are not (they carry tokens and the client secret).
    """
    for attempt in range(MAX_ATTEMPTS):
        try:
            with requests.post(url, json=payload, headers=headers, timeout=timeout) as response:
                status = response.status_code
                retry_after = response.headers.get("Retry-After")
                try:
                    body = response.json()
                except ValueError:
                    body = None
        except requests.Timeout:
            raise ShopifyUnavailableError(f"{what}: Shopify did not answer in time") from None
        except requests.RequestException as exc:
            raise ShopifyUnavailableError(
                f"{what}: Shopify could not be reached ({type(exc).__name__})"
            ) from None
        if status not in RETRYABLE_STATUSES:
            return JsonResponse(status, body)
        if attempt == MAX_ATTEMPTS - 1:
            break
        wait = retry_after_seconds(retry_after, attempt)
        log.warning("%s: HTTP %s, retrying in %.2fs (attempt %d)", what, status, wait, attempt + 1)
        time.sleep(wait)
    if status == 429:
        raise ShopifyThrottledError(f"{what}: still rate-limited after {MAX_ATTEMPTS} attempts")
    raise ShopifyUnavailableError(f"{what}: Shopify answered HTTP {status}")


def unexpected(what: str, response: JsonResponse) -> ShopifyHttpError:
    return ShopifyHttpError(f"{what}: unexpected HTTP {response.status}", response.status)
