"""Scalars of the registry's own, where strawberry's built-in ones accept too much.

``Decimal`` is strawberry's, but finite: Python's ``Decimal`` also reads ``NaN``, ``sNaN`` and
``Infinity``, and a NaN raises when a service compares it with a bound (an amount, a volume,
proceeds), which surfaced as INTERNAL_ERROR. Refused while the input is coerced, they are
INVALID_INPUT for every decimal field at once. Name and description stay strawberry's, so the
SDL does not change.
"""

from __future__ import annotations

import dataclasses
import decimal

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DecimalDefinition
from strawberry.types.scalar import ScalarDefinition


def _parse_finite_decimal(value: object) -> decimal.Decimal:
    assert DecimalDefinition.parse_value is not None
    parsed = DecimalDefinition.parse_value(value)
    assert isinstance(parsed, decimal.Decimal)
    if not parsed.is_finite():
        raise StrawberryInputCoercionError(
            f'Value cannot represent a Decimal: "{value}". Expected a finite number.'
        )
    return parsed


FiniteDecimal: ScalarDefinition = dataclasses.replace(
    DecimalDefinition, parse_value=_parse_finite_decimal, implementation=None
)

#: What ``build_schema`` hands strawberry as ``scalar_overrides``.
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {decimal.Decimal: FiniteDecimal}
