"""The request bodies of OpenADR 3.1.0 (``components/schemas`` of openadr3.yaml), as pydantic.

Field names are the wire names (camelCase) so a model reads like the specification. Validation
is strict, as the schema is: a string where a number belongs, a number outside ``int32`` or
``NaN`` is a 400, never coerced. Properties the schema does not define are ignored, as the
Definitions allow. Strings that go into indexed columns refuse the NUL character, which
PostgreSQL cannot store.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

INT32 = 2**31 - 1
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
# The pattern of ``duration`` in openadr3.yaml (it needs a look-ahead, so Python's re).
_DURATION = re.compile(
    r"^(-?)P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)([DW]))?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00]+$")


def _date_time(value: str) -> str:
    match = _RFC3339.match(value)
    if match is None:
        raise ValueError("not an RFC 3339 date-time, e.g. 2025-06-03T12:00:00+08:00")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    offset = match.group(8)
    valid = hour <= 23 and minute <= 59 and second <= 60  # 60: a leap second
    if offset not in "Zz":
        valid = valid and int(offset[1:3]) <= 23 and int(offset[4:6]) <= 59
    try:
        dt.date(year, month, day)
    except ValueError:
        valid = False
    if not valid:
        raise ValueError(f"{value} is not a valid date-time")
    return value


def _duration(value: str) -> str:
    if _DURATION.match(value) is None:
        raise ValueError("not an ISO 8601 duration, e.g. PT15M")
    return value


def _integral(value: Any) -> Any:
    """JSON Schema counts 1.0 as an integer; Python's strict int does not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Name = Annotated[Text, StringConstraints(min_length=1, max_length=128)]
ObjectId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[a-zA-Z0-9_-]*$")
]
DateTime = Annotated[str, AfterValidator(_date_time)]
Duration = Annotated[str, AfterValidator(_duration)]
Uri = Annotated[str, StringConstraints(min_length=2, max_length=8000, pattern=_URI.pattern)]
Integer = Annotated[int, BeforeValidator(_integral)]
Int32 = Annotated[Integer, Field(ge=-INT32 - 1, le=INT32)]


class Spec(BaseModel):
    """Strict, like the JSON schema; unknown properties are dropped.

    ``not_null`` names the optional properties the schema does not make nullable: leaving them
    out is fine, sending ``null`` is not.
    """

    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False)
    not_null: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _refuse_null(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in cls.not_null:
                if name in data and data[name] is None:
                    raise ValueError(f"{name} may be left out but not null")
        return data

    def wire(self) -> dict[str, Any]:
        """The JSON of what the client sent (properties it left out stay out)."""
        return self.model_dump(mode="json", exclude_unset=True)


class Point(Spec):
    x: float
    y: float


class ValuesMap(Spec):
    type: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    values: list[bool | int | float | str | Point]


class IntervalPeriod(Spec):
    not_null = frozenset({"start", "duration", "randomizeStart"})
    start: DateTime | None = None
    duration: Duration | None = None
    randomizeStart: Duration | None = None


class Interval(Spec):
    not_null = frozenset({"intervalPeriod"})
    id: Int32
    intervalPeriod: IntervalPeriod | None = None
    payloads: list[ValuesMap]


Units = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class EventPayloadDescriptor(Spec):
    objectType: Literal["EVENT_PAYLOAD_DESCRIPTOR"]
    payloadType: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    units: Units | None = None
    currency: str | None = None


class ReportPayloadDescriptor(Spec):
    objectType: Literal["REPORT_PAYLOAD_DESCRIPTOR"]
    payloadType: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    readingType: Units | None = None
    units: Units | None = None
    accuracy: float | None = None
    confidence: Annotated[Integer, Field(ge=0, le=100)] | None = None


class ReportDescriptor(Spec):
    payloadType: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    readingType: Units | None = None
    units: Units | None = None
    targets: list[Name] | None = None
    aggregate: bool = False
    startInterval: Int32 = -1
    numIntervals: Int32 = -1
    historical: bool = True
    frequency: Int32 = -1
    repeat: Int32 = 1
    reportIntervals: Literal["INTERVALS", "SUB_INTERVALS", "OPEN_INTERVALS"] = "INTERVALS"


class ProgramDescription(Spec):
    URL: Uri


def _description(value: Any) -> Any:
    """An item of ``programDescriptions``: the schema gives it properties but no type, so only
    an object is held to them (JSON Schema semantics)."""
    if isinstance(value, dict):
        return ProgramDescription.model_validate(value).wire()
    return value


PayloadDescriptor = Annotated[
    EventPayloadDescriptor | ReportPayloadDescriptor, Field(discriminator="objectType")
]


class ProgramRequest(Spec):
    not_null = frozenset({"intervalPeriod"})
    programName: Name
    intervalPeriod: IntervalPeriod | None = None
    programDescriptions: list[Annotated[Any, AfterValidator(_description)]] | None = None
    payloadDescriptors: list[PayloadDescriptor] | None = None
    attributes: list[ValuesMap] | None = None
    targets: list[Name] | None = None


class EventRequest(Spec):
    not_null = frozenset({"duration", "intervalPeriod", "intervals"})
    programID: ObjectId
    eventName: str | None = None
    duration: Duration | None = None
    priority: Annotated[Integer, Field(ge=0)] | None = None
    targets: list[Name] | None = None
    reportDescriptors: list[ReportDescriptor] | None = None
    payloadDescriptors: list[EventPayloadDescriptor] | None = None
    intervalPeriod: IntervalPeriod | None = None
    intervals: list[Interval] | None = None


class ReportResource(Spec):
    not_null = frozenset({"intervalPeriod"})
    resourceName: Name
    intervalPeriod: IntervalPeriod | None = None
    intervals: list[Interval]


class ReportRequest(Spec):
    eventID: ObjectId
    clientName: Name
    reportName: str | None = None
    payloadDescriptors: list[ReportPayloadDescriptor] | None = None
    resources: list[ReportResource]


Operation = Literal["READ", "CREATE", "UPDATE", "DELETE"]
# Literal rather than the ObjectType enum: FastAPI validates parsed JSON in Python mode, where
# a strict enum field would refuse the plain string.
ObjectTypeName = Literal["PROGRAM", "EVENT", "REPORT", "SUBSCRIPTION", "VEN", "RESOURCE"]


class ObjectOperation(Spec):
    objects: list[ObjectTypeName]
    operations: list[Operation]
    callbackUrl: Uri
    bearerToken: str | None = None


class SubscriptionRequest(Spec):
    not_null = frozenset({"programID"})
    clientName: Name
    programID: ObjectId | None = None
    objectOperations: list[ObjectOperation]
    targets: list[Name] | None = None


class VenVenRequest(Spec):
    objectType: Literal["VEN_VEN_REQUEST"]
    venName: Name
    attributes: list[ValuesMap] | None = None


class BlVenRequest(Spec):
    objectType: Literal["BL_VEN_REQUEST"]
    clientID: Name
    targets: list[Name] | None = None
    venName: Name
    attributes: list[ValuesMap] | None = None


class BlResourceRequest(Spec):
    objectType: Literal["BL_RESOURCE_REQUEST"]
    clientID: Name
    targets: list[Name] | None = None
    resourceName: Name
    venID: ObjectId
    attributes: list[ValuesMap] | None = None


class VenResourceRequest(Spec):
    objectType: Literal["VEN_RESOURCE_REQUEST"]
    resourceName: Name
    venID: ObjectId
    attributes: list[ValuesMap] | None = None


VenRequest = Annotated[VenVenRequest | BlVenRequest, Field(discriminator="objectType")]
ResourceRequest = Annotated[
    BlResourceRequest | VenResourceRequest, Field(discriminator="objectType")
]
