"""Telling subscribers that objects changed: webhooks and MQTT, after the change is committed.

A write through the VTN, or the relay turning platform notifications into events, records a
:class:`Change` per object. Once its transaction commits (:func:`after_commit`), the changes go
to :class:`Notifier`, whose thread works out who may see each one (object privacy, target
hiding) and hands the notifications to the MQTT publisher and the webhook pool. Nothing is sent
for a write that rolls back.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from gzkit.db import session_scope
from gzvpp.models import ClientRole, ObjectType, OpenADRClient, OpenADRObject, OpenADRTarget
from gzvpp.openadr import mqtt
from gzvpp.openadr.mqtt import MqttPublisher
from gzvpp.openadr.privacy import TARGETED, shown_targets
from gzvpp.openadr.webhooks import WebhookSender
from gzvpp.openadr.wire import object_wire

log = logging.getLogger(__name__)
_PENDING = "gzvpp_openadr_changes"


@dataclass(frozen=True)
class Change:
    """One object created, updated or deleted, as the VTN represents it to BL."""

    operation: str  # CREATE, UPDATE, DELETE
    object_type: ObjectType
    object_id: str
    representation: dict[str, Any]
    targets: tuple[str, ...]
    client_id: str | None
    program_id: str | None  # an event's program; for a report, its event's program
    ven_id: str | None  # a ven's own id, or a resource's ven

    @classmethod
    def of(cls, operation: str, obj: OpenADRObject, program_id: str | None = None) -> Change:
        """The change of ``obj``, taken now (before a delete makes its rows unreadable)."""
        ven_id = obj.id if obj.object_type is ObjectType.VEN else obj.ven_id
        return cls(
            operation=operation,
            object_type=obj.object_type,
            object_id=obj.id,
            representation=object_wire(obj),
            targets=tuple(obj.targets),
            client_id=obj.client_id,
            program_id=program_id or obj.program_id,
            ven_id=ven_id,
        )

    def notification(self, targets: list[str] | None = None) -> dict[str, Any]:
        """The ``notification`` object, with ``targets`` replacing the object's (hiding)."""
        shown = list(self.targets) if targets is None else targets
        body = dict(self.representation)
        if self.object_type in TARGETED:
            if shown:
                body["targets"] = shown
            else:
                body.pop("targets", None)
        result: dict[str, Any] = {
            "objectType": self.object_type.value,
            "operation": self.operation,
            "object": body,
        }
        if shown and self.object_type in TARGETED:
            result["targets"] = shown
        return result


def after_commit(session: Session, notifier: Notifier, changes: Iterable[Change]) -> None:
    """Hand ``changes`` to ``notifier`` once ``session``'s transaction commits (never if it
    rolls back)."""
    pending: list[Change] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []

        def committed(_session: Session) -> None:
            batch = session.info.pop(_PENDING, [])
            if batch:
                notifier.submit(batch)

        def rolled_back(_session: Session) -> None:
            session.info.pop(_PENDING, None)

        event.listen(session, "after_commit", committed, once=True)
        event.listen(session, "after_soft_rollback", rolled_back, once=True)
    pending.extend(changes)


@dataclass
class _Subscription:
    client_id: str
    bl: bool
    program_id: str | None
    targets: list[str] | None
    operations: list[dict[str, Any]]


@dataclass
class Audience:
    """Who may hear of changes: subscriptions and the targets granted to each VEN."""

    subscriptions_of: dict[str, list[_Subscription]] = field(default_factory=dict)
    bl_subscriptions: list[_Subscription] = field(default_factory=list)
    granted_to_client: dict[str, set[str]] = field(default_factory=dict)
    granted_to_ven: dict[str, set[str]] = field(default_factory=dict)
    clients_with: dict[str, set[str]] = field(default_factory=dict)  # target → client ids
    vens_with: dict[str, set[str]] = field(default_factory=dict)  # target → ven ids

    @classmethod
    def load(cls, session: Session, targets: Collection[str]) -> Audience:
        """Every subscription, and what was granted of ``targets`` (those of the changes at
        hand: all that privacy asks about).

        The grants are read as plain rows of every VEN and resource, not ORM objects (10,000
        VENs: ~0.1 s), and not at all for a batch without targets, such as VENs' reports.
        Not by target: that would also meet every event ever sent to those participants.
        """
        audience = cls()
        grants = (
            session.execute(
                select(
                    OpenADRObject.id,
                    OpenADRObject.object_type,
                    OpenADRObject.client_id,
                    OpenADRObject.ven_id,
                    OpenADRTarget.target,
                )
                .outerjoin(OpenADRTarget, OpenADRTarget.object_id == OpenADRObject.id)
                .where(OpenADRObject.object_type.in_((ObjectType.VEN, ObjectType.RESOURCE)))
            ).all()
            if targets
            else []
        )
        owner_of_ven = {r.id: r.client_id for r in grants if r.object_type is ObjectType.VEN}
        for row in grants:
            if row.target not in targets:
                continue
            # A resource's targets are granted to its VEN, and to the client owning that VEN.
            ven_id = row.id if row.object_type is ObjectType.VEN else row.ven_id
            client = owner_of_ven.get(ven_id or "")
            if ven_id in owner_of_ven:
                audience.granted_to_ven.setdefault(ven_id, set()).add(row.target)
                audience.vens_with.setdefault(row.target, set()).add(ven_id)
            if client:
                audience.granted_to_client.setdefault(client, set()).add(row.target)
                audience.clients_with.setdefault(row.target, set()).add(client)
        subscriptions = session.execute(
            select(OpenADRObject.client_id, OpenADRObject.body).where(
                OpenADRObject.object_type == ObjectType.SUBSCRIPTION
            )
        ).all()
        owners = {r.client_id for r in subscriptions}
        bl = set(
            session.scalars(
                select(OpenADRClient.id).where(
                    OpenADRClient.id.in_(owners), OpenADRClient.role == ClientRole.BL
                )
            )
        )
        for row in subscriptions:
            assert row.client_id is not None  # every subscription has an owner
            sub = _Subscription(
                client_id=row.client_id,
                bl=row.client_id in bl,
                program_id=row.body.get("programID"),
                targets=row.body.get("targets"),
                operations=row.body.get("objectOperations", []),
            )
            if sub.bl:
                audience.bl_subscriptions.append(sub)
            else:
                audience.subscriptions_of.setdefault(sub.client_id, []).append(sub)
        return audience

    def mqtt_messages(self, change: Change) -> list[tuple[str, dict[str, Any]]]:
        """(topic, notification) pairs for ``change`` (see :mod:`gzvpp.openadr.mqtt`)."""
        op, kind, oid = change.operation, change.object_type, change.object_id
        everyone = change.notification()
        out: list[tuple[str, dict[str, Any]]] = []
        if kind in TARGETED:
            plural = "programs" if kind is ObjectType.PROGRAM else "events"
            if kind is ObjectType.EVENT:
                out.append((mqtt.topic("events", op), everyone))
            if not change.targets:
                if kind is ObjectType.PROGRAM:
                    out.append((mqtt.topic("programs", op), everyone))
                    if op != "CREATE":
                        out.append((mqtt.topic(f"programs/{oid}", op), everyone))
                else:
                    out.append((mqtt.topic(f"programs/{change.program_id}/events", op), everyone))
                return out
            for ven in sorted({v for t in change.targets for v in self.vens_with.get(t, ())}):
                shown = shown_targets(
                    change.targets, granted=self.granted_to_ven.get(ven, set()), requested=None
                )
                if shown:
                    out.append((mqtt.topic(f"vens/{ven}/{plural}", op), change.notification(shown)))
            return out
        collection = {
            ObjectType.REPORT: "reports",
            ObjectType.SUBSCRIPTION: "subscriptions",
            ObjectType.VEN: "vens",
            ObjectType.RESOURCE: "resources",
        }[kind]
        out.append((mqtt.topic(collection, op), everyone))
        if kind is ObjectType.VEN and op != "CREATE":
            out.append((mqtt.topic(f"vens/{oid}", op), everyone))
        if kind is ObjectType.RESOURCE:
            out.append((mqtt.topic(f"vens/{change.ven_id}/resources", op), everyone))
        return out

    def webhooks(self, change: Change) -> list[tuple[str, str | None, dict[str, Any]]]:
        """(callbackUrl, bearerToken, notification) for every subscription ``change`` meets."""
        candidates = list(self.bl_subscriptions)
        if change.object_type in TARGETED:
            clients = (
                {c for t in change.targets for c in self.clients_with.get(t, ())}
                if change.targets
                else set(self.subscriptions_of)
            )
        else:
            clients = {change.client_id} if change.client_id else set()
        for client in sorted(clients):
            candidates.extend(self.subscriptions_of.get(client, ()))
        out: list[tuple[str, str | None, dict[str, Any]]] = []
        for sub in candidates:
            shown = self._shown(change, sub)
            if shown is None:
                continue
            notification = change.notification(shown)
            urls: set[str] = set()
            for operation in sub.operations:
                url = operation.get("callbackUrl", "")
                if (
                    change.object_type.value in operation.get("objects", ())
                    and change.operation in operation.get("operations", ())
                    and url not in urls
                ):
                    urls.add(url)
                    out.append((url, operation.get("bearerToken"), notification))
        return out

    def _shown(self, change: Change, sub: _Subscription) -> list[str] | None:
        """The targets ``sub``'s owner sees of ``change``, or None if it may not hear of it."""
        if sub.program_id is not None:
            related = (
                change.object_id if change.object_type is ObjectType.PROGRAM else change.program_id
            )
            if change.object_type in (ObjectType.PROGRAM, ObjectType.EVENT, ObjectType.REPORT) and (
                related != sub.program_id
            ):
                return None
        if change.object_type in TARGETED:
            granted = None if sub.bl else self.granted_to_client.get(sub.client_id, set())
            return shown_targets(change.targets, granted=granted, requested=sub.targets or ())
        if sub.bl or change.client_id == sub.client_id:
            return list(change.targets)
        return None


class Notifier:
    """A thread that fans committed changes out to MQTT and webhooks."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        webhooks: WebhookSender,
        publisher: MqttPublisher | None,
    ) -> None:
        self._factory = factory
        self.webhooks = webhooks
        self.publisher = publisher
        self._queue: queue.Queue[list[Change] | None] = queue.Queue()
        self._idle = threading.Condition()
        self._busy = 0
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the thread (and the MQTT connection) unless already running."""
        with self._lock:
            if self._thread is None:
                if self.publisher is not None:
                    self.publisher.start()
                self._thread = threading.Thread(
                    target=self._run, name="gzvpp-openadr-notifier", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        """Deliver what is queued, then stop."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()
        if self.publisher is not None:
            self.publisher.stop()

    def submit(self, changes: list[Change]) -> None:
        """Queue ``changes`` (committed already); starts the thread on first use."""
        self.start()
        with self._idle:
            self._busy += 1
        self._queue.put(changes)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every submitted change has been handed to MQTT and the webhook pool."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def _run(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            count = 1
            while not self._queue.empty():
                more = self._queue.get()
                if more is None:
                    self._queue.put(None)
                    break
                batch.extend(more)
                count += 1
            try:
                self.deliver(batch)
            except Exception:  # the next batch must still go out
                log.exception("delivering %d OpenADR notifications failed", len(batch))
            with self._idle:
                self._busy -= count
                self._idle.notify_all()

    def deliver(self, changes: list[Change]) -> None:
        """Work out the audience of ``changes`` and send."""
        targets = {t for c in changes if c.object_type in TARGETED for t in c.targets}
        with session_scope(self._factory) as session:
            audience = Audience.load(session, targets)
        counts: defaultdict[str, int] = defaultdict(int)
        for change in changes:
            if self.publisher is not None:
                for name, notification in audience.mqtt_messages(change):
                    self.publisher.publish(name, notification)
                    counts["mqtt"] += 1
            for url, token, notification in audience.webhooks(change):
                self.webhooks.send(url, token, notification)
                counts["webhook"] += 1
        log.debug("notified %d changes: %s", len(changes), dict(counts))
