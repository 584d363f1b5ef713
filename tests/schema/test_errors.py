"""Error codes follow from where an error arose, never from what its message says."""

from __future__ import annotations

from graphql import GraphQLError

from registry.errors import ConflictError
from schema.errors import error_code, mark_invalid_input

# Text that once chose a code: it must not any more.
LOOKS_LIKE_COERCION = "Variable '$n' has invalid value: Expected value of type 'Int'"


def test_the_registrys_own_errors_carry_their_code() -> None:
    error = GraphQLError("x", path=["moveCase"], original_error=ConflictError("x"))
    assert error_code(error) == "CONFLICT"


def test_a_value_its_type_refused_is_invalid_input_whatever_the_message() -> None:
    refused = GraphQLError("anything", original_error=GraphQLError("the type's refusal"))
    assert error_code(refused) == "INVALID_INPUT"
    while_running = GraphQLError("anything", path=["cases"], original_error=GraphQLError("no"))
    assert error_code(while_running) == "INVALID_INPUT"
    assert error_code(mark_invalid_input(GraphQLError("anything"))) == "INVALID_INPUT"


def test_graphqls_other_checks_before_execution_are_bad_requests_whatever_the_message() -> None:
    assert error_code(GraphQLError(LOOKS_LIKE_COERCION)) == "BAD_REQUEST"


def test_an_exception_in_a_resolver_is_internal_whatever_the_message() -> None:
    error = GraphQLError(
        LOOKS_LIKE_COERCION, path=["cases"], original_error=RuntimeError(LOOKS_LIKE_COERCION)
    )
    assert error_code(error) == "INTERNAL_ERROR"
