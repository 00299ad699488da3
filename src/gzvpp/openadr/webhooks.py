"""Webhook callbacks (Definitions, "Subscriptions" and "Security / Webhooks").

A subscription's ``callbackUrl`` is checked when it is written: HTTPS (plain HTTP only where the
settings allow it, e.g. tests on loopback), and an echo challenge — ``GET callbackUrl?echo=X``
must answer 200 with X in the body, or the subscription is refused. Notifications are POSTed
as JSON with ``Authorization: Bearer <bearerToken>`` by a small pool of threads, so a slow
receiver holds up no request; a failed delivery is retried with back-off, then logged and
dropped. Redirects are not followed.
"""

from __future__ import annotations

import logging
import secrets
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx

RETRY_DELAYS_S = (0.5, 2.0, 8.0)
WORKERS = 16

log = logging.getLogger(__name__)


class CallbackRefused(ValueError):
    """The callback URL is not acceptable or did not answer the echo challenge."""


class WebhookSender:
    """Checks callback URLs and delivers notifications over ``client``."""

    def __init__(self, client: httpx.Client, *, allow_http: bool, verify: bool = True) -> None:
        self.client = client
        self.allow_http = allow_http
        self.verify = verify
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="gzvpp-webhook")

    def check(self, url: str) -> None:
        """Accept ``url`` as a callback or raise :class:`CallbackRefused`."""
        scheme = urlsplit(url).scheme.lower()
        allowed = ("https", "http") if self.allow_http else ("https",)
        if scheme not in allowed:
            raise CallbackRefused(f"the callbackUrl must use {' or '.join(allowed)}: {url}")
        if not self.verify:
            return
        challenge = secrets.token_urlsafe(16)
        try:
            answer = self.client.get(url, params={"echo": challenge}, timeout=10)
        except httpx.HTTPError as err:
            raise CallbackRefused(
                f"the callbackUrl did not answer the echo challenge: {err}"
            ) from err
        if answer.status_code != 200 or challenge not in answer.text:
            raise CallbackRefused(
                f"the callbackUrl answered the echo challenge with {answer.status_code} "
                "and without the echo value"
            )

    def send(self, url: str, token: str | None, notification: dict[str, Any]) -> Future[bool]:
        """Deliver ``notification`` to ``url`` in the background; the future says if it got
        through."""
        return self._pool.submit(self._deliver, url, token, notification)

    def close(self) -> None:
        """Finish the deliveries under way and stop the threads."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _deliver(self, url: str, token: str | None, notification: dict[str, Any]) -> bool:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for attempt, delay in enumerate((0.0, *RETRY_DELAYS_S)):
            time.sleep(delay)
            try:
                response = self.client.post(url, json=notification, headers=headers, timeout=10)
            except httpx.HTTPError as err:
                problem = str(err)
            else:
                if response.status_code < 500:
                    if response.status_code >= 400:
                        log.warning("webhook %s refused the notification: %s", url, response)
                    return response.status_code < 400
                problem = f"HTTP {response.status_code}"
            log.info("webhook %s failed (attempt %d): %s", url, attempt + 1, problem)
        log.warning("webhook %s unreachable; notification dropped", url)
        return False
