"""The MQTT notifier binding (Definitions, "Notifications via Additional Protocols").

The VTN publishes each change of an object as the same notification JSON a webhook receives,
to topics named under ``openadr3/``:

==========================================  =========================================  ========
topic                                       what                                       who
==========================================  =========================================  ========
``programs/{op}``, ``programs/{id}/{op}``   programs without targets                   anyone
``vens/{venID}/programs/{op}``              programs targeted to that ven              its VEN
``events/{op}``                             every event                                BL
``programs/{id}/events/{op}``               the program's events without targets       anyone
``vens/{venID}/events/{op}``                events targeted to that ven                its VEN
``reports/{op}``, ``subscriptions/{op}``    every report, subscription                 BL
``vens/{op}``, ``resources/{op}``           every ven, resource                        BL
``vens/{venID}/{op}``                       that ven                                   its VEN
``vens/{venID}/resources/{op}``             that ven's resources                       its VEN
==========================================  =========================================  ========

``{op}`` is ``create``, ``update`` or ``delete``. A targeted object is never published on a
topic every VEN may read; the broker must enforce the "who" column (e.g. a Mosquitto ACL keyed
on the client's username), which is deployment configuration outside OpenADR.

The broker is ``$GZVPP_MQTT_URL`` (default ``mqtt://127.0.0.1:1883``; ``none`` turns MQTT off).
If it does not answer, the VTN logs it and carries on; paho keeps reconnecting and holds up to
``MAX_QUEUED`` messages meanwhile.
"""

from __future__ import annotations

import json
import logging
import ssl
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

PREFIX = "openadr3"
OPERATIONS = ("create", "update", "delete")
MAX_QUEUED = 100_000

log = logging.getLogger(__name__)


def topics(path: str, *, create: bool = True) -> dict[str, str]:
    """``notifierOperationsTopics`` for the objects at ``path`` (e.g. ``vens/v1/events``);
    ``create`` is False for one object, whose creation nobody can subscribe to beforehand."""
    names = {op.upper(): f"{PREFIX}/{path}/{op}" for op in OPERATIONS if create or op != "create"}
    return {**names, "ALL": f"{PREFIX}/{path}/+"}


def topic(path: str, operation: str) -> str:
    """The topic of ``operation`` (CREATE, UPDATE, DELETE) on the objects at ``path``."""
    return f"{PREFIX}/{path}/{operation.lower()}"


def encode(notification: dict[str, Any]) -> bytes:
    """The notification's JSON in UTF-8, by orjson (2 µs for a dispatch's event against the
    standard library's 40; the notifier encodes two per VEN told); what orjson refuses (an
    integer beyond 64 bits, nesting past 254 levels) by the standard library."""
    try:
        return orjson.dumps(notification)
    except orjson.JSONEncodeError:
        return json.dumps(notification, ensure_ascii=False).encode()


@dataclass(frozen=True)
class Broker:
    """A paho client for the broker at an ``mqtt://`` or ``mqtts://`` URL, not yet connected;
    ``address`` is the URL without its login, to show and to log (the VTN's password would
    let anyone publish on every topic)."""

    client: mqtt.Client
    host: str
    port: int
    address: str

    @classmethod
    def at(cls, url: str, client_id: str, protocol: MQTTProtocolVersion | None = None) -> Broker:
        """The client ``client_id`` for ``url`` (its login and TLS from the URL), speaking
        MQTT 3.1.1 unless ``protocol`` says otherwise."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise ValueError(f"GZVPP_MQTT_URL must be mqtt://host[:port] or mqtts://…; got {url}")
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=protocol or MQTTProtocolVersion.MQTTv311,
        )
        if parts.scheme == "mqtts":
            client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
        if parts.username:
            client.username_pw_set(parts.username, parts.password)
        port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
        address = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        return cls(client, parts.hostname, port, address)

    def connect(self, waiting: str, properties: Properties | None = None) -> None:
        """Connect in the background and keep reconnecting; a broker that does not answer is
        logged (``waiting``: what waits for it), not raised."""
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        try:
            self.client.connect_async(self.host, self.port, keepalive=30, properties=properties)
        except OSError as err:
            log.warning("MQTT broker %s: %s; %s wait for it", self.address, err, waiting)
        self.client.loop_start()


class MqttPublisher:
    """A paho client publishing notifications at QoS 1 from its own network thread."""

    def __init__(self, url: str) -> None:
        self._broker = Broker.at(url, f"gzvpp-vtn-{uuid.uuid4().hex[:12]}")
        self.url = self._broker.address  # what GET /notifiers tells every client
        self._client = self._broker.client
        # No limit on messages awaiting their PUBACK: with one, paho scans the messages in
        # flight on every PUBACK to find the next to send (quadratic: 20,000 notifications
        # of a dispatch to 10,000 VENs cost seconds of the GIL).
        self._client.max_inflight_messages_set(0)
        self._client.max_queued_messages_set(MAX_QUEUED)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_connect_fail = self._on_connect_fail
        self._started = False

    def start(self) -> None:
        """Connect in the background; a broker that does not answer is logged, not raised."""
        if self._started:
            return
        self._started = True
        self._broker.connect("notifications")

    def stop(self) -> None:
        """Disconnect and stop the network thread."""
        if self._started:
            self._started = False
            self._client.disconnect()
            self._client.loop_stop()

    @property
    def connected(self) -> bool:
        """True while the broker is connected."""
        return self._client.is_connected()

    def publish(self, topic_name: str, notification: dict[str, Any]) -> None:
        """Queue ``notification`` for ``topic_name`` (sent at once when connected)."""
        self._client.publish(topic_name, encode(notification), qos=1)

    def _on_connect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any
    ) -> None:
        if reason.is_failure:
            log.warning("MQTT broker %s refused the connection: %s", self.url, reason)
        else:
            log.info("MQTT broker %s connected", self.url)

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any
    ) -> None:
        if self._started:
            log.warning("MQTT broker %s disconnected (%s); reconnecting", self.url, reason)

    def _on_connect_fail(self, _client: mqtt.Client, _userdata: Any) -> None:
        log.warning("no MQTT broker answers at %s; carrying on, retrying", self.url)
