"""OpenADR for the platform: the 3.1.0 VTN (``vtn3``), the 2.0b VTN (``vtn2b``), the relay from
the platform's notifications, the webhook and MQTT notifiers, real-time monitoring. See
docs/openadr.md."""
