"""The ``Example:`` sections of the SDK's docstrings run (STYLE.md rule 14)."""

import doctest
from types import ModuleType

import pytest

import clients
import clients.cli
import clients.cosignature
import clients.errors
import clients.keyfile
import clients.logreader
import clients.sdk
import clients.tokens
import clients.witness


@pytest.mark.parametrize(
    "module",
    [
        clients,
        clients.sdk,
        clients.tokens,
        clients.errors,
        clients.keyfile,
        clients.cli,
        clients.logreader,
        clients.cosignature,
        clients.witness,
    ],
    ids=lambda module: module.__name__,
)
def test_docstring_examples_run(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)

    assert result.failed == 0


def test_the_sdk_entry_points_have_examples_that_actually_run() -> None:
    parser = doctest.DocTestParser()
    for entry_point in (clients.sdk.RegistryClient, clients.tokens.sign_token):
        docstring = entry_point.__doc__ or ""
        assert "Example:" in docstring
        examples = parser.get_examples(docstring)
        runnable = [e for e in examples if not e.options.get(doctest.SKIP)]
        assert len(runnable) >= 3, entry_point
