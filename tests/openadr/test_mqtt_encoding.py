"""MQTT notifications are UTF-8 JSON (orjson), with the standard library for what orjson
refuses."""

from __future__ import annotations

import json

from gzvpp.openadr.mqtt import encode


def test_a_notification_is_utf8_json() -> None:
    note = {"objectType": "EVENT", "object": {"eventName": "实时调度 dispatch", "v": [1.5, None]}}
    encoded = encode(note)
    assert json.loads(encoded) == note
    assert "实时调度".encode() in encoded  # not \u-escaped


def test_an_integer_beyond_64_bits_still_goes_out() -> None:
    note = {"object": {"values": [2**70]}}
    assert json.loads(encode(note)) == note
