"""Metrics, traces and structured logs: where a request's time goes, seen from outside."""

from gateway.observability.setup import Observability

__all__ = ["Observability"]
