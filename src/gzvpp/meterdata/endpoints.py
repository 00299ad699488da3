"""HTTP routes of the meter data domain, under ``/api/meterdata``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, UploadFile

from gzvpp.kit.auth import ActorDep
from gzvpp.kit.clock import ClockDep
from gzvpp.kit.db import SessionDep
from gzvpp.meterdata import schemas
from gzvpp.meterdata.service import meterdata_service as service

router = APIRouter(prefix="/meterdata", tags=["meter data"])


@router.post("/loads:upload", summary="Upload meter loads (CSV or Parquet)")
def upload_loads(
    file: UploadFile, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.UploadSummary:
    """Merge a file of 15-minute loads, columns ``account_id,ts,kw`` (``.csv`` or ``.parquet``).

    The grid operator sends any enrolled account; an aggregator or power user its own only.
    A bad row is a 422 naming the line and the reason, and nothing is stored.
    """
    return service.upload_file(session, actor, clock.now(), file.file, file.filename, "kw")


@router.post("/system-load:upload", summary="Upload the Guangzhou system load")
def upload_system_load(
    file: UploadFile, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.UploadSummary:
    """Merge a file of the 广州统调负荷, columns ``ts,mw`` (grid operator)."""
    return service.upload_file(session, actor, clock.now(), file.file, file.filename, "mw")


@router.post("/loads", summary="Send meter readings as JSON")
def send_loads(
    upload: schemas.ReadingsUpload, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.UploadSummary:
    """Merge readings ``{"readings": [{"account_id", "ts", "kw"}, …]}`` like an uploaded file."""
    return service.upload_readings(session, actor, clock.now(), upload.readings)


@router.get("/loads", summary="Read an account's loads")
def read_loads(
    actor: ActorDep,
    session: SessionDep,
    account_id: Annotated[str, Query(min_length=1, max_length=32)],
    start: Annotated[dt.datetime, Query(alias="from", description="Local time, inclusive.")],
    end: Annotated[dt.datetime, Query(alias="to", description="Local time, exclusive.")],
) -> schemas.LoadSeries:
    """Every 15-minute interval starting in [from, to), kW or null, for a chart."""
    return service.loads(session, actor, account_id, start, end)
