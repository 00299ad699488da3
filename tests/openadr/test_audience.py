"""The notifier's audience of a batch: what was granted of the batch's targets only, a
resource's targets granted to its VEN and to the client owning that VEN, no grants read for a
batch without targets."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI

from gzkit.db import session_scope
from gzvpp.models import ObjectType, OpenADRObject
from gzvpp.openadr.notifier import Audience, Change

NOW = dt.datetime(2025, 6, 2, 8, 0)


def _object(
    object_id: str,
    object_type: ObjectType,
    targets: list[str],
    *,
    client_id: str | None = None,
    ven_id: str | None = None,
) -> OpenADRObject:
    obj = OpenADRObject(
        id=object_id,
        object_type=object_type,
        client_id=client_id,
        name=object_id,
        ven_id=ven_id,
        body={},
        created_at=NOW,
        modified_at=NOW,
    )
    obj.targets = targets
    return obj


def test_the_audience_of_a_batch_holds_the_grants_of_its_targets(app: FastAPI) -> None:
    with session_scope(app.state.sessionmaker) as session:
        session.add_all(
            [
                _object("aud-v1", ObjectType.VEN, ["aud-t1"], client_id="aud-c1"),
                _object("aud-r1", ObjectType.RESOURCE, ["aud-t2"], ven_id="aud-v1"),
                _object("aud-v2", ObjectType.VEN, [], client_id="aud-c2"),
                _object("aud-r2", ObjectType.RESOURCE, ["aud-t3"], ven_id="aud-v2"),
                _object("aud-r9", ObjectType.RESOURCE, ["aud-t3"], ven_id="aud-gone"),
                _object("aud-v3", ObjectType.VEN, ["aud-t4"], client_id="aud-c3"),
            ]
        )
    with session_scope(app.state.sessionmaker) as session:
        audience = Audience.load(session, {"aud-t1", "aud-t2", "aud-t3"})
    assert audience.vens_with == {
        "aud-t1": {"aud-v1"},
        "aud-t2": {"aud-v1"},
        "aud-t3": {"aud-v2"},
    }
    assert audience.granted_to_ven == {"aud-v1": {"aud-t1", "aud-t2"}, "aud-v2": {"aud-t3"}}
    assert audience.granted_to_client == {"aud-c1": {"aud-t1", "aud-t2"}, "aud-c2": {"aud-t3"}}
    assert audience.clients_with == {
        "aud-t1": {"aud-c1"},
        "aud-t2": {"aud-c1"},
        "aud-t3": {"aud-c2"},
    }

    event = Change(
        operation="CREATE",
        object_type=ObjectType.EVENT,
        object_id="aud-e1",
        representation={"id": "aud-e1", "targets": ["aud-t3", "aud-t2"]},
        targets=("aud-t3", "aud-t2"),
        client_id=None,
        program_id="aud-p",
        ven_id=None,
    )
    messages = dict(audience.mqtt_messages(event))
    # Each VEN is told on its own topic, seeing only the targets it was granted.
    assert messages["openadr3/vens/aud-v1/events/create"]["targets"] == ["aud-t2"]
    assert messages["openadr3/vens/aud-v2/events/create"]["targets"] == ["aud-t3"]
    assert messages["openadr3/events/create"]["targets"] == ["aud-t3", "aud-t2"]
    assert len(messages) == 3

    with session_scope(app.state.sessionmaker) as session:
        assert Audience.load(session, set()).vens_with == {}
