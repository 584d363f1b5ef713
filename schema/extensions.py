"""Schema extensions of the registry's own."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator

from graphql import GraphQLError, NullValueNode, ValuesOfCorrectTypeRule, validate
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from registry.errors import RegistryError
from schema import limits
from schema.errors import conceal, mark_invalid_input, own_type_names


class LiteralValues(ValuesOfCorrectTypeRule):
    """graphql-core's rule for the values written in a document, whose refusals say that the
    caller's input was refused (``INVALID_INPUT``). A null where a value is required is left
    a bad request, like a required argument left out."""

    def report_error(self, error: GraphQLError) -> None:
        """Report ``error``, marked unless it refuses a null."""
        if not any(isinstance(node, NullValueNode) for node in error.nodes or ()):
            mark_invalid_input(error)
        super().report_error(error)


#: The rules strawberry adds to graphql-core's (and to those of the other extensions).
_STRAWBERRY_RULES = (MaybeNullValidationRule, OneOfInputValidationRule)
#: Validation stops after this many errors: enough to fix a document by, and each error may
#: echo part of it.
MAX_VALIDATION_ERRORS = 20


class KnownValid:
    """Documents (by their text) that graphql-core's rules found valid, for one schema: the
    rules depend on nothing else, and checking them again cost about a third of a small
    request. Bounded, least recently used first out; only valid documents are kept, so an
    error object is never shared between requests."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._texts: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, text: object) -> bool:
        with self._lock:
            if text in self._texts:
                self._texts.move_to_end(text)  # type: ignore[arg-type]
                return True
            return False

    def add(self, text: str) -> None:
        """Remember ``text`` as valid."""
        with self._lock:
            self._texts[text] = None
            if len(self._texts) > self.size:
                self._texts.popitem(last=False)


class Validation(SchemaExtension):
    """Validate every document here rather than in strawberry: first against the registry's
    limits (``schema/limits.py``: depth, cost, input objects, text), which are cheap and bound
    the work of what follows, then by graphql-core's rules and those the other extensions
    add. With ``hide_suggestions`` graphql-core makes no "Did you mean" suggestions at all
    (cheaper than making them to strip them: 1,990 unknown fields validate in a third of
    the time).
    """

    def __init__(
        self,
        *,
        max_depth: int,
        max_cost: int,
        hide_suggestions: bool,
        known_valid: KnownValid | None = None,
    ) -> None:
        self.max_depth = max_depth
        self.max_cost = max_cost
        self.hide_suggestions = hide_suggestions
        self.known_valid = known_valid if known_valid is not None else KnownValid(0)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None  # parsed before it is validated
        schema = context.schema._schema
        errors = limits.check(
            schema, document, context.variables, max_depth=self.max_depth, max_cost=self.max_cost
        )
        # The limits depend on the variables (page sizes), so they are checked every time.
        if not errors and context.query not in self.known_valid:
            rules = (*context.validation_rules, *_STRAWBERRY_RULES)
            errors = validate(
                schema,
                document,
                [LiteralValues if rule is ValuesOfCorrectTypeRule else rule for rule in rules],
                max_errors=MAX_VALIDATION_ERRORS,
                hide_suggestions=self.hide_suggestions,
            )
            if not errors and context.query is not None:
                self.known_valid.add(context.query)
        for error in errors:
            # graphql-core gives up on a document that repeats fields or fragments past its
            # work budget (or nests past the recursion limit) with only "Validation aborted."
            if isinstance(error, ValidationAbortedError) and error.message == "Validation aborted.":
                error.message = (
                    "Validation aborted: the document repeats fields or fragments too often, "
                    "or nests too deeply, to be checked"
                )
        # Set (even when empty), the errors tell strawberry that validation has been done.
        context.pre_execution_errors = errors
        yield


class ConcealSchema(SchemaExtension):
    """With introspection off the schema is not public, and GraphQL's own error messages do
    not give it away: no "Did you mean" suggestion and no name of the schema's own types.

    Validation makes no suggestions then (``Validation``), but coercing variables happens in
    graphql-core's execution, where strawberry passes no such option; so the finished errors
    of every request are read here, whichever step made them. The registry's own errors are
    left as they are.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        names = own_type_names(self.execution_context.schema._schema)
        for error in result.errors:
            if not isinstance(error.original_error, RegistryError):
                error.message = conceal(error.message, names)
