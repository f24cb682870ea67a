"""Metrics the handlers emit beside their ``Metrics`` instance."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit, single_metric


def emit_single(name: str, value: float, dimensions: dict[str, str], unit: MetricUnit = MetricUnit.Count) -> None:
    """One metric with its own dimensions, flushed at once as its own EMF line.

    A handler's ``Metrics`` shares one set of dimensions among all its metrics; a per-program or
    per-error copy of a service-wide series needs dimensions of its own.
    """
    with single_metric(name=name, unit=unit, value=value, default_dimensions=dimensions):
        pass
