"""Replay recorded telemetry over HTTP."""
