"""The 2.0b wire format: parsing a VEN's message safely, rendering the VTN's answer.

openleadr's messaging layer does the (de)serialisation; this module keeps hostile XML away from
it and adds what its templates lack (the events' baselines as ``eiEventBaseline``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import defusedxml.ElementTree as defused_etree
from lxml import etree  # type: ignore[import-untyped]
from openleadr.messaging import XML_SCHEMA, create_message, parse_message

from gzvpp.core.grid import INTERVAL_MINUTES

NS = {
    "ei": "http://docs.oasis-open.org/ns/energyinterop/201110",
    "oadr": "http://openadr.org/oadr-2.0b/2012/07",
    "xcal": "urn:ietf:params:xml:ns:icalendar-2.0",
    "strm": "urn:ietf:params:xml:ns:icalendar-2.0:stream",
    "power": "http://docs.oasis-open.org/ns/emix/2011/06/power",
    "scale": "http://docs.oasis-open.org/ns/emix/2011/06/siscale",
}
# The 2.0b schema check with lxml told never to expand an entity, load a DTD or reach the
# network: openleadr's own parser expands entities, and libxml2 crashed the whole process on
# a DOCTYPE with entities under schema validation.
SCHEMA_PARSER = etree.XMLParser(
    schema=XML_SCHEMA, resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
)


def parse(raw: bytes) -> tuple[Any, str, dict[str, Any]]:
    """The schema-checked tree, message type and payload of a 2.0b message.

    Any DOCTYPE (and so any entity declaration or external reference) is refused by defusedxml
    before lxml or xmltodict see the body: 2.0b messages have none, and a body carrying one is
    an attack (entity expansion, external entities).
    """
    defused_etree.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    tree = etree.fromstring(raw, SCHEMA_PARSER)
    message_type, payload = parse_message(raw)
    return tree, message_type, payload


def render(message_type: str, payload: dict[str, Any]) -> str:
    """The oadrPayload XML; events' baselines are added as ``eiEventBaseline`` (openleadr's
    templates have none), then the whole is checked against the 2.0b schema."""
    baselines = {}
    for event in payload.get("events") or []:
        baseline = event.pop("baseline", None)
        if baseline:
            baselines[event["event_descriptor"]["event_id"]] = (event["active_period"], baseline)
    xml = str(create_message(message_type, **payload))
    if not baselines:
        return xml
    root = etree.fromstring(xml.encode())
    for element in root.iter(f"{{{NS['ei']}}}eiEvent"):
        event_id = element.findtext(f"{{{NS['ei']}}}eventDescriptor/{{{NS['ei']}}}eventID")
        if event_id in baselines:
            period, values = baselines[event_id]
            signals = element.find(f"{{{NS['ei']}}}eiEventSignals")
            signals.append(_baseline_element(period, values))
    rendered = str(etree.tostring(root, encoding="unicode"))
    etree.fromstring(rendered.encode(), SCHEMA_PARSER)
    return rendered


def _baseline_element(period: dict[str, Any], values: list[float]) -> Any:
    ei, xcal, strm = NS["ei"], NS["xcal"], NS["strm"]

    def sub(parent: Any, ns: str, tag: str, text: str | None = None) -> Any:
        child = etree.SubElement(parent, f"{{{ns}}}{tag}")
        if text is not None:
            child.text = text
        return child

    baseline = etree.Element(f"{{{ei}}}eiEventBaseline")
    sub(sub(baseline, xcal, "dtstart"), xcal, "date-time", _xcal_time(period["dtstart"]))
    sub(sub(baseline, xcal, "duration"), xcal, "duration", _xcal_duration(period["duration"]))
    intervals = sub(baseline, strm, "intervals")
    step = dt.timedelta(minutes=INTERVAL_MINUTES)
    for i, value in enumerate(values):
        interval = sub(intervals, ei, "interval")
        sub(sub(interval, xcal, "duration"), xcal, "duration", _xcal_duration(step))
        sub(sub(interval, xcal, "uid"), xcal, "text", str(i))
        payload = sub(sub(interval, ei, "signalPayload"), ei, "payloadFloat")
        sub(payload, ei, "value", repr(float(value)))
    sub(baseline, ei, "baselineID", "gzvpp-baseline")
    sub(baseline, ei, "baselineName", "GZ-VPP baseline (R4), kW per 15 min")
    unit = sub(baseline, NS["power"], "powerReal")
    sub(unit, NS["power"], "itemDescription", "RealPower")
    sub(unit, NS["power"], "itemUnits", "W")
    sub(unit, NS["scale"], "siScaleCode", "k")
    attributes = sub(unit, NS["power"], "powerAttributes")
    sub(attributes, NS["power"], "hertz", "50")
    sub(attributes, NS["power"], "voltage", "220")
    sub(attributes, NS["power"], "ac", "true")
    return baseline


def _xcal_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xcal_duration(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds()) // 60
    hours, minutes = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes or not hours else "")
