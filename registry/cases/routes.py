"""Routes by reason: why eviction threatens decides the road a case takes.

Rent arrears go through the statutory early signal and collection (Wet gemeentelijke
schuldhulpverlening). Nuisance, and housing fraud or illegal use (cannabis, illegal subletting),
do not: no arrears preconditions, no early signal; the corporation intervenes (a warning, for
nuisance also mediation and a behaviour agreement) and may go to court from there. A case with
rent arrears among its reasons takes the arrears route, whatever else threatens.

The route is derived from the case's reasons, so it needs no column of its own; the lifecycle
asks which phases a route passes through (``ROUTE_PHASES``) before it takes a transition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType

from registry.errors import InvalidInputError
from registry.models import AnnotationKind, Phase, Reason


class Route(StrEnum):
    """The road a case takes, by its reasons."""

    RENT_ARREARS = "rent_arrears"
    NUISANCE = "nuisance"
    FRAUD = "fraud"  # housing fraud or illegal use


def route_of(reasons: Iterable[str]) -> Route:
    """The route of a case with these reasons: rent arrears first, then nuisance, then fraud
    or illegal use; anything else (``other`` alone) follows the arrears route as before."""
    given = {str(r) for r in reasons}
    if Reason.RENT_ARREARS in given:
        return Route.RENT_ARREARS
    if Reason.NUISANCE in given:
        return Route.NUISANCE
    if given & {Reason.HOUSING_FRAUD, Reason.ILLEGAL_ACTIVITY}:
        return Route.FRAUD
    return Route.RENT_ARREARS


_FROM_COURT = frozenset({Phase.COURT, Phase.JUDGMENT_SERVED, Phase.EVICTION, Phase.AFTER_EVICTION})

#: The phases each route passes through: a transition leaves and enters only these.
ROUTE_PHASES: Mapping[Route, frozenset[Phase]] = MappingProxyType(
    {
        Route.RENT_ARREARS: frozenset(Phase) - {Phase.INTERVENTION},
        Route.NUISANCE: _FROM_COURT | {Phase.INTERVENTION},
        Route.FRAUD: _FROM_COURT | {Phase.INTERVENTION},
    }
)

#: Where a new case of each route starts.
START: Mapping[Route, Phase] = MappingProxyType(
    {
        Route.RENT_ARREARS: Phase.EARLY_SIGNAL,
        Route.NUISANCE: Phase.INTERVENTION,
        Route.FRAUD: Phase.INTERVENTION,
    }
)

#: Annotation kinds that belong to nuisance: mediation (buurtbemiddeling) and a behaviour
#: agreement (gedragsovereenkomst) address how a household lives with its neighbours.
NUISANCE_ONLY = frozenset({AnnotationKind.MEDIATION, AnnotationKind.BEHAVIOUR_AGREEMENT})


def check_annotation(reasons: Iterable[str], kind: AnnotationKind) -> None:
    """Refuse a nuisance-only kind of annotation on a case without nuisance among its reasons.

    Raises:
        InvalidInputError: naming the kind and what it needs.
    """
    if kind in NUISANCE_ONLY and Reason.NUISANCE not in {str(r) for r in reasons}:
        raise InvalidInputError(f"a {kind} annotation belongs to a case of nuisance")
