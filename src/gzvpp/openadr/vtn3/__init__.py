"""The OpenADR 3.1.0 VTN under ``/openadr3/3.1.0`` (openadr3.yaml)."""
