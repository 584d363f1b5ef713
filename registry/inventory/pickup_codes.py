"""The pickup code: how the storage provider knows, at the door, that the person collecting the
goods is the one the municipality released them to.

When the municipality releases a pickup (``service.release_pickup``) a one-time code is made
for the household and shown once, in the answer to the release; the municipality passes it
on. The storage provider asks ``verify`` whether a code is right and learns yes or no, nothing
else. A code is accepted once. Every attempt is processing of the case and goes into the
access log; after ``MAX_WRONG_CODES`` wrong attempts on an inventory every attempt is refused
until the municipality issues a new code (``reissue``), which also replaces a lost one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from policies import Permission
from registry.errors import ConflictError, InvalidInputError
from registry.inventory import codes
from registry.inventory import service as inventory
from registry.inventory.views import InventoryView, open_pickup
from registry.models import PickupRequest, PickupStatus, StoredInventory

if TYPE_CHECKING:
    from registry.request import RequestScope

#: Wrong codes tried on one inventory before every attempt is refused: with 40-bit codes, ten
#: guesses succeed with a chance of about one in 10^11.
MAX_WRONG_CODES = 10


@dataclass(frozen=True)
class PickupCodeCheck:
    """All a verification tells: whether the code was accepted."""

    accepted: bool


def _released(inventory_row: StoredInventory) -> PickupRequest:
    inventory.require_stored(inventory_row)
    pickup = open_pickup(inventory_row)
    if pickup is None or pickup.status is not PickupStatus.RELEASED:
        raise ConflictError("no pickup release is authorised: there is no pickup code to check")
    return pickup


def verify(scope: RequestScope, case_id: str, code: str) -> PickupCodeCheck:
    """Whether ``code`` is the household's pickup code (the storage provider, or the
    municipality): accepted once; a wrong code counts against the inventory's attempts."""
    raw = codes.normalise(code)
    if raw is None:
        raise InvalidInputError(
            f"a pickup code is {codes.LENGTH} letters and digits, such as 7KQ4-M2XD"
        )
    # The inventory's row is locked: of two checks of one code at once, one accepts it.
    case, _, stored = inventory.stored(
        scope, case_id, Permission.PICKUP_CODE_VERIFY, "verify a pickup code for this case"
    )
    scope.disclosure.processed(case)  # every attempt is processing of the case: access-logged
    pickup = _released(stored)
    if stored.pickup_code_failures >= MAX_WRONG_CODES:
        raise ConflictError(
            f"{MAX_WRONG_CODES} wrong pickup codes were tried for these goods: no code is "
            "checked any more until the municipality issues a new one (issuePickupCode)"
        )
    if codes.matches(pickup.pickup_code_hash, raw):
        pickup.pickup_code_hash, pickup.pickup_code_accepted_at = None, scope.now
        accepted = True
    else:
        stored.pickup_code_failures += 1
        accepted = False
    stored.version += 1
    scope.session.flush()
    return PickupCodeCheck(accepted)


def reissue(scope: RequestScope, case_id: str) -> InventoryView:
    """A new code for the released pickup (the municipality): the old one stops working and
    the wrong attempts start again from nought. The new code is in the answer, and only there."""
    case, relation, stored = inventory.stored(
        scope, case_id, Permission.PICKUP_RELEASE, "issue a pickup code for this case's goods"
    )
    pickup = _released(stored)
    code = codes.issue(stored, pickup, scope.now)
    stored.version += 1
    scope.session.flush()
    view = inventory.view(scope, stored, case, relation)
    view.pickup_code = code
    return view
