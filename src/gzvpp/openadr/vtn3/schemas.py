"""The request bodies of OpenADR 3.1.0 (``components/schemas`` of openadr3.yaml), as pydantic.

Field names are the wire names (camelCase) so a model reads like the specification. Validation
is strict, as the schema is: a string where a number belongs, a number outside ``int32`` or
``NaN`` is a 400, never coerced. Properties the schema does not define are ignored, as the
Definitions allow. Strings that go into indexed columns refuse the NUL character, which
PostgreSQL cannot store.

Where the schema sets no bound, the VTN sets its own (a refusal is a 400 naming the field):
free text (``eventName``, ``reportName``, string values …) at most :data:`MAX_TEXT`
characters, a ``values`` list at most :data:`MAX_VALUES` entries, lists of intervals,
resources and descriptors at most :data:`MAX_ITEMS`, and a report at most
:data:`MAX_REPORT_VALUES` values in all (a day of minute telemetry for 69 resources). The body
itself is capped before parsing (``Settings.max_body``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

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
MAX_TEXT = 1024
MAX_VALUES = 10_000
MAX_ITEMS = 10_000
MAX_REPORT_VALUES = 100_000
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
FreeText = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Token = Annotated[str, StringConstraints(max_length=8000)]
Many = Field(max_length=MAX_ITEMS)
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

    The one leniency: ``null`` for an optional property is taken as leaving it out, even where
    the schema does not make the property nullable (clients such as ElaadNL's openadr3-client
    send ``null`` for every optional property they leave unset). ``null`` for a required
    property is still refused.
    """

    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            fields = cls.model_fields
            return {
                name: value
                for name, value in data.items()
                if value is not None or name not in fields or fields[name].is_required()
            }
        return data

    def wire(self) -> dict[str, Any]:
        """The JSON of what the client sent (properties it left out stay out)."""
        return self.model_dump(mode="json", exclude_unset=True)


class Point(Spec):
    x: float
    y: float


class ValuesMap(Spec):
    type: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    values: Annotated[list[bool | int | float | FreeText | Point], Field(max_length=MAX_VALUES)]


class IntervalPeriod(Spec):
    start: DateTime | None = None
    duration: Duration | None = None
    randomizeStart: Duration | None = None


class Interval(Spec):
    id: Int32
    intervalPeriod: IntervalPeriod | None = None
    payloads: Annotated[list[ValuesMap], Many]


Units = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class EventPayloadDescriptor(Spec):
    objectType: Literal["EVENT_PAYLOAD_DESCRIPTOR"]
    payloadType: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    units: Units | None = None
    currency: FreeText | None = None


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
    targets: Annotated[list[Name], Many] | None = None
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


Description = Annotated[Any, AfterValidator(_description)]
PayloadDescriptor = Annotated[
    EventPayloadDescriptor | ReportPayloadDescriptor, Field(discriminator="objectType")
]


class ProgramRequest(Spec):
    programName: Name
    intervalPeriod: IntervalPeriod | None = None
    programDescriptions: Annotated[list[Description], Many] | None = None
    payloadDescriptors: Annotated[list[PayloadDescriptor], Many] | None = None
    attributes: Annotated[list[ValuesMap], Many] | None = None
    targets: Annotated[list[Name], Many] | None = None


class EventRequest(Spec):
    programID: ObjectId
    eventName: FreeText | None = None
    duration: Duration | None = None
    priority: Annotated[Integer, Field(ge=0)] | None = None
    targets: Annotated[list[Name], Many] | None = None
    reportDescriptors: Annotated[list[ReportDescriptor], Many] | None = None
    payloadDescriptors: Annotated[list[EventPayloadDescriptor], Many] | None = None
    intervalPeriod: IntervalPeriod | None = None
    intervals: Annotated[list[Interval], Many] | None = None


class ReportResource(Spec):
    resourceName: Name
    intervalPeriod: IntervalPeriod | None = None
    intervals: Annotated[list[Interval], Many]


class ReportRequest(Spec):
    eventID: ObjectId
    clientName: Name
    reportName: FreeText | None = None
    payloadDescriptors: Annotated[list[ReportPayloadDescriptor], Many] | None = None
    resources: Annotated[list[ReportResource], Many]

    @model_validator(mode="after")
    def _bounded(self) -> ReportRequest:
        count = sum(
            len(payload.values)
            for resource in self.resources
            for interval in resource.intervals
            for payload in interval.payloads
        )
        if count > MAX_REPORT_VALUES:
            raise ValueError(
                f"resources: a report carries at most {MAX_REPORT_VALUES} values in all; "
                f"this one has {count}"
            )
        return self


Operation = Literal["READ", "CREATE", "UPDATE", "DELETE"]
# Literal rather than the ObjectType enum: FastAPI validates parsed JSON in Python mode, where
# a strict enum field would refuse the plain string.
ObjectTypeName = Literal["PROGRAM", "EVENT", "REPORT", "SUBSCRIPTION", "VEN", "RESOURCE"]


class ObjectOperation(Spec):
    objects: Annotated[list[ObjectTypeName], Many]
    operations: Annotated[list[Operation], Many]
    callbackUrl: Uri
    bearerToken: Token | None = None


class SubscriptionRequest(Spec):
    clientName: Name
    programID: ObjectId | None = None
    objectOperations: Annotated[list[ObjectOperation], Many]
    targets: Annotated[list[Name], Many] | None = None


class VenVenRequest(Spec):
    objectType: Literal["VEN_VEN_REQUEST"]
    venName: Name
    attributes: Annotated[list[ValuesMap], Many] | None = None


class BlVenRequest(Spec):
    objectType: Literal["BL_VEN_REQUEST"]
    clientID: Name
    targets: Annotated[list[Name], Many] | None = None
    venName: Name
    attributes: Annotated[list[ValuesMap], Many] | None = None


class BlResourceRequest(Spec):
    objectType: Literal["BL_RESOURCE_REQUEST"]
    clientID: Name
    targets: Annotated[list[Name], Many] | None = None
    resourceName: Name
    venID: ObjectId
    attributes: Annotated[list[ValuesMap], Many] | None = None


class VenResourceRequest(Spec):
    objectType: Literal["VEN_RESOURCE_REQUEST"]
    resourceName: Name
    venID: ObjectId
    attributes: Annotated[list[ValuesMap], Many] | None = None


VenRequest = Annotated[VenVenRequest | BlVenRequest, Field(discriminator="objectType")]
ResourceRequest = Annotated[
    BlResourceRequest | VenResourceRequest, Field(discriminator="objectType")
]
