"""Personal text stored sealed under its case's data key (``registry.privacy.keys``).

A model declares the stored bytes as a mapped column of type ``SealedBytes`` and the text as a
``SealedText`` attribute over it. The attribute reads and writes plain text, so services and
the disclosure choke point use it like any other; the database only ever holds the sealed
bytes. A value set is sealed when the session flushes (a new row's case may get its id only
then); a value read is opened once per instance and kept.

Nothing filters or sorts on these columns in SQL (checked when they were sealed: lists
filter on municipality, phase, owner and eviction dates only); the exact lookups by address
and identity go through keyed blind indexes instead (``registry.privacy.blind_index``).
"""

from __future__ import annotations

import uuid
from typing import Any, Generic, TypeVar, overload

from sqlalchemy import LargeBinary, TypeDecorator, event, inspect
from sqlalchemy.orm import Mapper, Session, object_session
from sqlalchemy.orm.attributes import flag_dirty
from sqlalchemy.orm.util import identity_key

from registry.privacy.keys import CaseCipher, DataKeyError, ErasedError, current, new_data_key

T = TypeVar("T", str, str | None)

_OPENED = "_sealed_opened"  # per instance: attribute -> (sealed bytes, plain text)
_PENDING = "_sealed_pending"  # per instance: attribute -> plain text not sealed yet
_CIPHERS = "sealed_ciphers"  # per session (``Session.info``): case id -> CaseCipher
_CIPHER = "_sealed_cipher"  # per instance: the cipher its values opened with


class SealedBytes(TypeDecorator[bytes]):
    """The stored form of a sealed text; ``length`` is the most characters of the plain text
    (what ``registry.lengths`` checks input against)."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__()
        self.length = length


class SealedText(Generic[T]):
    """A text attribute whose value is stored sealed in the mapped column ``stored``."""

    def __init__(self, stored: str, length: int) -> None:
        self.stored = stored
        self.length = length
        self.name = ""
        self.column = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        # The associated data names table and column: a value moved elsewhere does not open.
        self.column = f"{getattr(owner, '__tablename__', owner.__name__)}.{name}"

    @overload
    def __get__(self, obj: None, owner: type) -> SealedText[T]: ...
    @overload
    def __get__(self, obj: object, owner: type) -> T: ...
    def __get__(self, obj: object | None, owner: type) -> SealedText[T] | T:
        if obj is None:
            return self
        pending: dict[str, Any] = obj.__dict__.get(_PENDING, {})
        if self.name in pending:
            value: T = pending[self.name]
            return value
        sealed = getattr(obj, self.stored)
        if sealed is None:
            return None  # type: ignore[return-value]  # only a nullable column holds None
        opened: dict[str, tuple[bytes, str]] = obj.__dict__.setdefault(_OPENED, {})
        known = opened.get(self.name)
        if known is not None and known[0] is sealed:
            return known[1]
        cipher = obj.__dict__.get(_CIPHER)
        if cipher is None:
            cipher = obj.__dict__[_CIPHER] = cipher_of(obj, create=False)
        plain = cipher.open(self.column, sealed)
        opened[self.name] = (sealed, plain)
        return plain

    def open_with(self, cipher: CaseCipher, sealed: bytes | None) -> T:
        """The plain text of ``sealed``, a value of this attribute's column read without the
        ORM (a list's plain rows), opened with its case's ``cipher`` (``case_cipher``)."""
        if sealed is None:
            return None  # type: ignore[return-value]  # only a nullable column holds None
        plain: T = cipher.open(self.column, sealed)
        return plain

    def __set__(self, obj: object, value: T) -> None:
        obj.__dict__.setdefault(_PENDING, {})[self.name] = value
        if object_session(obj) is not None:
            flag_dirty(obj)  # so that the next flush seals it, even if nothing else changed

    def seal_pending(self, obj: object) -> None:
        """Seal the value set on ``obj`` into its stored column (at flush)."""
        pending: dict[str, Any] = obj.__dict__.get(_PENDING, {})
        if self.name not in pending:
            return
        value = pending.pop(self.name)
        if value is None:
            setattr(obj, self.stored, None)
            return
        sealed = cipher_of(obj, create=True).seal(self.column, value)
        setattr(obj, self.stored, sealed)
        obj.__dict__.setdefault(_OPENED, {})[self.name] = (sealed, value)


def _sealed_attributes(cls: type) -> list[SealedText[Any]]:
    found = cls.__dict__.get("_sealed_attributes")
    if found is None:
        found = [a for k in dir(cls) if isinstance(a := cls.__dict__.get(k), SealedText)]
        cls._sealed_attributes = found  # type: ignore[attr-defined]
    return list(found)


def _case_of(session: Session, obj: object) -> Any:
    """The ``Case`` whose key seals ``obj``'s values (the case itself, or the row's case)."""
    from registry.models.case import Case  # here: the case module declares sealed columns

    if isinstance(obj, Case):
        return obj
    related = obj.__dict__.get("case")
    if related is not None:
        return related
    case_id = obj.__dict__.get("case_id")
    if case_id is None:
        raise DataKeyError(f"a {type(obj).__name__} to seal names no case")
    loaded = session.identity_map.get(identity_key(Case, case_id))
    if loaded is not None:
        return loaded
    for pending in session.new:
        if isinstance(pending, Case) and pending.id == case_id:
            return pending
    case = session.get(Case, case_id)
    if case is None:
        raise DataKeyError(f"the case of a {type(obj).__name__} to seal does not exist")
    return case


def cipher_of(obj: object, *, create: bool) -> CaseCipher:
    """The cipher of ``obj``'s case, its data key unwrapped once per session; ``create``
    makes the case a data key when it has none yet (when a first value is sealed)."""
    session = object_session(obj)
    if session is None:
        raise DataKeyError(f"a sealed value of a detached {type(obj).__name__} cannot be opened")
    ciphers: dict[uuid.UUID, CaseCipher] = session.info.setdefault(_CIPHERS, {})
    # The quick way, taken by every value but a case's first: a long list opens thousands.
    known = ciphers.get(obj.__dict__.get("case_id"))  # type: ignore[arg-type]
    if known is not None:
        return known
    case = _case_of(session, obj)
    if case.id is None:
        case.id = uuid.uuid4()  # a new case gets its id now: the key is bound to it
    cipher = ciphers.get(case.id)
    if cipher is not None:
        return cipher
    if case.erased_at is not None:
        raise ErasedError(f"case {case.id} was erased: its data key is destroyed")
    kek = current()
    if case.data_key is None:
        if not create:
            raise DataKeyError(f"case {case.id} has no data key")
        key = new_data_key()
        case.data_key = kek.wrap(case.id, key)
    else:
        key = kek.unwrap(case.id, case.data_key)
    cipher = ciphers[case.id] = CaseCipher(case.id, key)
    return cipher


def sealed_row(
    cls: type, case_id: uuid.UUID, values: dict[str, Any]
) -> tuple[bytes, dict[str, Any]]:
    """A new case's data key, wrapped, and ``values`` (a new row of ``cls``, its sealed
    attributes in plain text) with each sealed attribute sealed into its column: what
    a flush of a new case and its ``cls`` row stores, for a bulk write that skips the
    session (``registry.imports``)."""
    key = new_data_key()
    cipher = CaseCipher(case_id, key)
    row = dict(values)
    mapper: Mapper[Any] = inspect(cls)
    for attribute in _sealed_attributes(cls):
        value = row.pop(attribute.name, None)
        # Keyed as a Core insert takes it: by the stored column's key (``sealed_name`` is
        # mapped to the column ``name``).
        column = mapper.get_property(attribute.stored).columns[0].key
        row[column] = None if value is None else cipher.seal(attribute.column, value)
    return current().wrap(case_id, key), row


def case_cipher(session: Session, case_id: uuid.UUID, data_key: bytes | None) -> CaseCipher:
    """The cipher of case ``case_id``, whose wrapped data key is ``data_key``, for values read
    without the ORM: unwrapped once per session, in the cache ``cipher_of`` keeps."""
    ciphers: dict[uuid.UUID, CaseCipher] = session.info.setdefault(_CIPHERS, {})
    cipher = ciphers.get(case_id)
    if cipher is None:
        if data_key is None:
            raise DataKeyError(f"case {case_id} has no data key")
        cipher = ciphers[case_id] = CaseCipher(case_id, current().unwrap(case_id, data_key))
    return cipher


def forget_key(session: Session, case_id: uuid.UUID) -> None:
    """Drop the session's unwrapped copy of a case's data key (when it is destroyed)."""
    session.info.get(_CIPHERS, {}).pop(case_id, None)


@event.listens_for(Session, "before_flush")
def _seal_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for obj in [*session.new, *session.dirty]:
        if _PENDING in obj.__dict__:
            for attribute in _sealed_attributes(type(obj)):
                attribute.seal_pending(obj)
