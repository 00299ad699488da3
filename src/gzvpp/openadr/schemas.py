"""Request and response bodies of the platform's OpenADR administration API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from gzkit.request_input import Input

VenName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=128, pattern=r"^[0-9A-Za-z._-]+$"
    ),
]


class VenCreate(Input):
    """A VEN for an active participant."""

    participant_id: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    protocol: Literal["3.1.0", "2.0b"] = "3.1.0"
    ven_name: VenName | None = Field(None, description="Unique; generated when left out.")
    fingerprint: str | None = Field(
        None, description="2.0b only: the VEN certificate's fingerprint (AB:CD:…, 10 bytes)."
    )


class VenCredentialsView(BaseModel):
    """What to configure the VEN with. ``client_secret`` is shown only in this answer."""

    protocol: str
    participant_id: str
    ven_name: str
    ven_id: str
    vtn_url: str
    client_id: str | None
    client_secret: str | None
    targets: list[str]
    fingerprint: str | None


class BlClientCreate(Input):
    """A business-logic client of the grid operator."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ClientCredentialsView(BaseModel):
    """A client's credentials; ``client_secret`` is shown only in this answer."""

    client_id: str
    client_secret: str
    name: str
    vtn_url: str
