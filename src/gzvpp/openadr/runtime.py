"""The OpenADR side of the app: settings, the notifier, the relay, and their lifetime.

:func:`install` puts an :class:`OpenADR` in ``app.state.openadr``; the app's lifespan calls
:meth:`OpenADR.start` and :meth:`OpenADR.stop`. Without the lifespan (``TestClient(app)``
outside ``with``) the notifier starts on first use and the relay runs only when
:meth:`Relay.run_once` is called, which is what tests that drive the clock want.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI, Request
from sqlalchemy.orm import Session, sessionmaker

from gzkit.clock import Clock
from gzvpp.openadr.mqtt import MqttPublisher
from gzvpp.openadr.mqtt_telemetry import TelemetrySubscriber
from gzvpp.openadr.notifier import Notifier
from gzvpp.openadr.relay import Relay
from gzvpp.openadr.webhooks import WebhookSender

DEFAULT_MAX_BODY = 1 << 20  # bytes of one request either VTN reads

MQTT_URL_ENV = "GZVPP_MQTT_URL"
DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883"


FLAG_ON = ("1", "true", "yes", "on")


def _flag(name: str) -> bool:
    """True when the variable is one of :data:`FLAG_ON` (any case); anything else is off."""
    return os.environ.get(name, "").strip().lower() in FLAG_ON


@dataclass
class Settings:
    """What a deployment may change; :meth:`from_env` reads the environment.

    ``mqtt_url``: ``$GZVPP_MQTT_URL``, ``none`` or empty for no MQTT.
    ``allow_http_callbacks``: ``$GZVPP_OPENADR_HTTP_CALLBACKS`` set to ``1``, ``true``,
    ``yes`` or ``on`` (the Definitions require HTTPS webhooks; plain HTTP is for loopback tests
    and demos).
    ``token_ttl``: ``$GZVPP_OPENADR_TOKEN_TTL`` seconds (3600).
    ``max_body``: ``$GZVPP_OPENADR_MAX_BODY``, the largest request body either VTN reads, in
    bytes (1 MiB); a larger one is answered 413.
    ``relay_interval``: how often the relay looks for new platform notifications (s).
    ``poll_frequency``: the ``oadrPoll`` period asked of 2.0b VENs.
    ``telemetry_granularity``: the reporting period asked of 2.0b VENs (one minute).
    ``telemetry_group``: ``$GZVPP_MQTT_TELEMETRY_GROUP`` (``gzvpp``), the shared subscription
    through which the processes of one deployment take the telemetry VENs publish over MQTT
    (each report once); two deployments on one broker need two names.
    ``telemetry_interval``: how long telemetry over MQTT is gathered before it is recorded (s).
    """

    mqtt_url: str | None = DEFAULT_MQTT_URL
    allow_http_callbacks: bool = False
    token_ttl: int = 3600
    max_body: int = DEFAULT_MAX_BODY
    relay_interval: float = 0.5
    poll_frequency: dt.timedelta = field(default=dt.timedelta(seconds=10))
    telemetry_granularity: dt.timedelta = field(default=dt.timedelta(minutes=1))
    telemetry_group: str = "gzvpp"
    telemetry_interval: float = 0.5

    @classmethod
    def from_env(cls) -> Settings:
        """Settings from the environment, defaults elsewhere."""
        url = os.environ.get(MQTT_URL_ENV, DEFAULT_MQTT_URL).strip()
        return cls(
            mqtt_url=None if url.lower() in ("", "none", "off") else url,
            allow_http_callbacks=_flag("GZVPP_OPENADR_HTTP_CALLBACKS"),
            token_ttl=int(os.environ.get("GZVPP_OPENADR_TOKEN_TTL", "3600")),
            max_body=int(os.environ.get("GZVPP_OPENADR_MAX_BODY", str(DEFAULT_MAX_BODY))),
            telemetry_group=os.environ.get("GZVPP_MQTT_TELEMETRY_GROUP", "gzvpp").strip()
            or "gzvpp",
        )


class OpenADR:
    """Everything the VTNs share in one app."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        read_factory: sessionmaker[Session],
        clock: Clock,
        settings: Settings,
    ) -> None:

        self.factory = factory
        self.settings = settings
        self.clock = clock
        self.http = httpx.Client(follow_redirects=False)
        self.webhooks = WebhookSender(self.http, allow_http=settings.allow_http_callbacks)
        publisher = MqttPublisher(settings.mqtt_url) if settings.mqtt_url else None
        # The notifier only reads: on SQLite its transactions then take no write lock, which a
        # busy report stream would otherwise queue behind once per batch it notifies.
        self.notifier = Notifier(read_factory, self.webhooks, publisher)
        self.relay = Relay(factory, clock, self.notifier, settings.relay_interval)
        self.telemetry = (
            TelemetrySubscriber(
                settings.mqtt_url,
                factory,
                clock.now,
                group=settings.telemetry_group,
                interval=settings.telemetry_interval,
                max_body=settings.max_body,
            )
            if settings.mqtt_url
            else None
        )

    def start(self) -> None:
        """Start notifying, relaying and taking telemetry over MQTT (the app's lifespan)."""
        self.notifier.start()
        self.relay.start()
        if self.telemetry is not None:
            self.telemetry.start()

    def stop(self) -> None:
        """Stop relaying, record the telemetry received, deliver what is pending, close
        connections."""
        self.relay.stop()
        if self.telemetry is not None:
            self.telemetry.stop()
        self.notifier.stop()
        self.webhooks.close()
        self.http.close()


def install(app: FastAPI, settings: Settings | None = None) -> OpenADR:
    """Create the app's :class:`OpenADR` (``app.state.openadr``) from its database and clock."""
    runtime = OpenADR(
        app.state.sessionmaker,
        app.state.read_sessionmaker,
        app.state.clock,
        settings or Settings.from_env(),
    )
    app.state.openadr = runtime
    return runtime


def runtime_of(request: Request) -> OpenADR:
    """The request's app's :class:`OpenADR`."""
    runtime: OpenADR = request.app.state.openadr
    return runtime
