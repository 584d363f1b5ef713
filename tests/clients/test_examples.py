"""The ``Example:`` sections of the SDK's docstrings run (STYLE.md rule 14), every one of them,
the examples that talk to a registry against a real one: ``ketenregister serve`` on a copy of
the demo database, run from a folder that holds the demo partners' key files where
``ketenregister demo`` writes them (``var/demo/keys/``)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import clients
import clients.aio
import clients.auth
import clients.cli
import clients.cosignature
import clients.errors
import clients.keyfile
import clients.logreader
import clients.monitor
import clients.operations
import clients.sdk
import clients.tokens
import clients.verify.checkpoint
import clients.verify.merkle
import clients.verify.note
import clients.verify.opening
import clients.webhooks
import clients.witness
from clients.keyfile import KeyFile, write_key_file
from tests.conftest import LOG_ORIGIN, DemoKey
from tests.servers import copy_of, serving

#: Every module of the SDK whose docstrings hold examples.
MODULES = [
    clients,
    clients.sdk,
    clients.aio,
    clients.operations,
    clients.auth,
    clients.tokens,
    clients.webhooks,
    clients.errors,
    clients.keyfile,
    clients.cli,
    clients.logreader,
    clients.monitor,
    clients.cosignature,
    clients.witness,
    clients.verify.note,
    clients.verify.checkpoint,
    clients.verify.merkle,
    clients.verify.opening,
]
#: What a partner calls first: each carries an ``Example:`` of its own.
ENTRY_POINTS: list[Any] = [
    clients.sdk.RegistryClient,
    clients.aio.AsyncRegistryClient,
    clients.tokens.sign_token,
    clients.keyfile.load_key_file,
    clients.logreader.LogReader,
    clients.logreader.verify_entry,
    clients.verify.checkpoint.verify_checkpoint,
    clients.cosignature.WitnessPolicy,
    clients.witness.Witness,
]
#: The audience of the demo registry, which its key files name.
DEMO_AUDIENCE = "ketenregister"


@pytest.fixture(scope="module")
def demo_folder(
    template: tuple[str, dict[str, DemoKey]],
    log_key_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Path]:
    """A real registry serving a copy of the demo database with the demo's settings, and a
    folder with the demo partners' key files naming it, in ``var/demo/keys/``."""
    folder = tmp_path_factory.mktemp("examples")
    template_url, keys = template
    env = {
        "KETENREGISTER_AUDIENCE": DEMO_AUDIENCE,
        "KETENREGISTER_LOG_KEY_FILE": str(log_key_file),
        "KETENREGISTER_LOG_ORIGIN": LOG_ORIGIN,
    }
    with (
        copy_of(template_url, folder, "examples") as url,
        serving(url, folder, processes=1, env=env) as (base_url,),
    ):
        key_dir = folder / "var" / "demo" / "keys"
        key_dir.mkdir(parents=True)
        for key in keys.values():
            write_key_file(
                key_dir / f"{key.partner}.json",
                KeyFile(key.partner, key.kid, key.private_key, base_url, DEMO_AUDIENCE),
            )
        yield folder


@pytest.fixture
def in_demo_folder(demo_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the test in the folder the examples' key file paths are relative to."""
    monkeypatch.chdir(demo_folder)


def _examples(target: Any) -> list[doctest.Example]:
    return [e for test in doctest.DocTestFinder().find(target) for e in test.examples]


@pytest.mark.usefixtures("in_demo_folder")
@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_docstring_examples_run(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)

    assert result.failed == 0
    assert result.attempted > 0, f"{module.__name__} lost its examples"


def test_every_module_with_examples_has_them_run_and_none_is_skipped() -> None:
    names = [clients.__name__] + [
        info.name for info in pkgutil.walk_packages(clients.__path__, f"{clients.__name__}.")
    ]
    modules = [importlib.import_module(name) for name in names]

    with_examples = {m.__name__ for m in modules if _examples(m)}
    skipped = [
        f"{m.__name__}: {e.source.strip()}"
        for m in modules
        for e in _examples(m)
        if e.options.get(doctest.SKIP)
    ]

    assert with_examples <= {m.__name__ for m in MODULES}
    assert skipped == []


@pytest.mark.usefixtures("in_demo_folder")
@pytest.mark.parametrize("entry_point", ENTRY_POINTS, ids=lambda e: e.__qualname__)
def test_the_sdk_entry_points_have_examples_that_actually_run(entry_point: Any) -> None:
    docstring = entry_point.__doc__ or ""
    assert "Example:" in docstring
    examples = doctest.DocTestParser().get_examples(docstring)
    runnable = [e for e in examples if not e.options.get(doctest.SKIP)]
    assert len(runnable) >= 3, entry_point

    module = importlib.import_module(entry_point.__module__)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    test = doctest.DocTestParser().get_doctest(
        docstring, dict(vars(module)), entry_point.__qualname__, module.__file__, 0
    )
    report: list[str] = []
    result = runner.run(test, out=report.append)
    assert result.failed == 0, "".join(report)
    assert result.attempted == len(examples)
