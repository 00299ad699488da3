"""HTTP routes of the meter data domain, under ``/api/meterdata``."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.errors import Invalid
from gzkit.uploads import ReceivedForm, receive_form
from gzvpp.jobs.endpoints import RunnerDep
from gzvpp.kit.auth import MeterDataActorDep
from gzvpp.kit.policy import METER_UPLOAD_MAX_BYTES_ENV
from gzvpp.meterdata import schemas
from gzvpp.meterdata.plausibility import MeterSettings
from gzvpp.meterdata.service import Upload
from gzvpp.meterdata.service import meterdata_service as service

router = APIRouter(prefix="/meterdata", tags=["meter data"])

# The request body FastAPI would declare for ``file: UploadFile``, written out because the body
# is read by :func:`receive_form` instead.
FILE_FORM: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "reason": {
                            "type": "string",
                            "maxLength": schemas.MAX_REASON,
                            "description": "Why, when the file corrects data an evaluated "
                            "event has read (required then).",
                        },
                    },
                }
            }
        },
    }
}


def meter_settings(request: Request) -> MeterSettings:
    """The app's meter upload limits."""
    settings: MeterSettings = request.app.state.meter_settings
    return settings


SettingsDep = Annotated[MeterSettings, Depends(meter_settings)]


async def received_file(
    request: Request, actor: MeterDataActorDep, settings: SettingsDep
) -> AsyncIterator[tuple[Path, Upload]]:
    """The uploaded file on disk, in a temporary folder removed after the request.

    Who may upload is checked before the body is read, so a refused upload costs nothing.
    """
    service.require_uploader(actor)
    with tempfile.TemporaryDirectory(prefix="gzvpp-upload-") as folder:
        form: ReceivedForm = await receive_form(
            request,
            Path(folder),
            file_field="file",
            limit=settings.max_upload_bytes,
            setting=METER_UPLOAD_MAX_BYTES_ENV,
        )
        assert form.path is not None  # receive_form refuses a body without the file
        for name in form.fields.keys() - {"reason"}:
            raise Invalid("unknown field: the form takes file and reason", ("body", name))
        reason = form.fields.get("reason", "").strip()
        if len(reason) > schemas.MAX_REASON:
            raise Invalid(f"at most {schemas.MAX_REASON} characters", ("body", "reason"))
        source = Path(form.filename or "").name or "upload"
        yield form.path, Upload(source, settings, reason or None)


ReceivedFileDep = Annotated[tuple[Path, Upload], Depends(received_file)]


@router.post(
    "/loads:upload", summary="Upload meter loads (CSV or Parquet)", openapi_extra=FILE_FORM
)
def upload_loads(
    received: ReceivedFileDep,
    actor: MeterDataActorDep,
    session: SessionDep,
    clock: ClockDep,
    runner: RunnerDep,
) -> schemas.UploadSummary:
    """Merge a file of 15-minute loads, columns ``account_id,ts,kw`` (``.csv`` or ``.parquet``).

    Settlement data comes from the metering side only (第九条): the metering identity or the
    grid operator, for any enrolled account; a participant's upload is a 403. A bad or
    implausible row is a 422 naming the line and the reason, and nothing is stored; a body over
    ``GZVPP_METER_UPLOAD_MAX_BYTES`` is a 413. Correcting readings an evaluated event has read
    needs the form field ``reason``. The answer names the evaluation job queued with the data
    (``job``; see ``GET /api/jobs/{id}``).
    """
    path, upload = received
    return service.upload_file(session, actor, clock.now(), path, upload, "kw", runner)


@router.post(
    "/system-load:upload", summary="Upload the Guangzhou system load", openapi_extra=FILE_FORM
)
def upload_system_load(
    received: ReceivedFileDep,
    actor: MeterDataActorDep,
    session: SessionDep,
    clock: ClockDep,
    runner: RunnerDep,
) -> schemas.UploadSummary:
    """Merge a file of the 广州统调负荷, columns ``ts,mw`` (metering identity, grid operator)."""
    path, upload = received
    return service.upload_file(session, actor, clock.now(), path, upload, "mw", runner)


@router.post("/loads", summary="Send meter readings as JSON")
def send_loads(
    upload: schemas.ReadingsUpload,
    actor: MeterDataActorDep,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    runner: RunnerDep,
) -> schemas.UploadSummary:
    """Merge readings ``{"readings": [{"account_id", "ts", "kw"}, …], "reason"?}`` like an
    uploaded file (metering identity, grid operator)."""
    return service.upload_readings(session, actor, clock.now(), upload, settings, runner)


@router.get("/loads", summary="Read an account's loads")
def read_loads(
    actor: MeterDataActorDep,
    session: SessionDep,
    account_id: Annotated[str, Query(min_length=1, max_length=32)],
    start: Annotated[dt.datetime, Query(alias="from", description="Local time, inclusive.")],
    end: Annotated[dt.datetime, Query(alias="to", description="Local time, exclusive.")],
) -> schemas.LoadSeries:
    """Every 15-minute interval starting in [from, to), kW or null, for a chart."""
    return service.loads(session, actor, account_id, start, end)
