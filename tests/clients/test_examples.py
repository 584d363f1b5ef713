"""The ``Example:`` sections of the SDK's docstrings run (STYLE.md rule 14), every one of them,
and so do the README's SDK block and ``clients/examples/``: those that talk to a registry
against a real one, ``ketenregister serve`` on a copy of the demo database, run from a folder
that holds the demo partners' key files where ``ketenregister demo`` writes them
(``var/demo/keys/``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import doctest
import importlib
import json
import pkgutil
import re
import subprocess
import sys
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
from clients import ConflictError, RegistryClient
from clients.keyfile import KeyFile, write_key_file
from tests.conftest import LOG_ORIGIN, DemoKey
from tests.docs.snippets import fenced_blocks
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


# -- the README's SDK block and clients/examples/, against the same live registry -------------

EXAMPLES = Path(clients.__file__).parent / "examples"
README = Path(clients.__file__).parent.parent / "README.md"
#: The demo covenants' purpose, which the examples name.
PURPOSE = "eviction_prevention"


def _key(folder: Path, partner: str) -> Path:
    return folder / "var" / "demo" / "keys" / f"{partner}.json"


def _case_without_agreement(client: RegistryClient) -> str:
    """The first of the client's cases without any agreement."""
    agreements = client.execute("{ agreements(first: 500) { caseId } }")["agreements"]
    taken = {agreement["caseId"] for agreement in agreements}
    after = None
    while True:
        page = client.call(clients.operations.cases(first=100, after=after))
        for node in page["nodes"]:
            if node["id"] in taken:
                continue
            query = "query($c: ID!) { agreements(caseId: $c) { id } }"
            if not client.execute(query, {"c": node["id"]})["agreements"]:
                return node["id"]
        assert page["pageInfo"]["hasNextPage"], "every case has an agreement"
        after = page["pageInfo"]["endCursor"]


def _agreement_to_sign(folder: Path) -> tuple[str, str]:
    """An agreement Bureau Woonkans proposes now for a Nijestee case that has none, with
    Nijestee, Bureau Woonkans and WIJ Groningen as parties; its id and text's SHA-256."""
    with RegistryClient.from_key_file(_key(folder, "nijestee"), purpose=PURPOSE) as nijestee:
        case_id = _case_without_agreement(nijestee)
        for partner in ("bureau-woonkans", "wij-groningen"):
            with contextlib.suppress(ConflictError):  # involved already
                nijestee.call(clients.operations.involve_partner(case_id, partner, "SECOND_CHANCE"))
    today = dt.date.today()
    proposal = {
        "caseId": case_id,
        "kind": "STAY",
        "parties": ["nijestee", "bureau-woonkans", "wij-groningen"],
        "conditions": [{"type": "PAY_RENT_ON_TIME"}],
        "termStart": today.isoformat(),
        "termEnd": (today + dt.timedelta(days=364)).isoformat(),
        "reviewIntervalDays": 91,
    }
    path = _key(folder, "bureau-woonkans")
    with RegistryClient.from_key_file(path, purpose=PURPOSE) as bureau:
        agreement = bureau.call(clients.operations.propose_agreement(proposal))
        document = bureau.call(clients.operations.agreement_document(agreement["id"]))
    return agreement["id"], document["textSha256"]


def _example(folder: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_readme_s_sdk_block_runs_as_printed(
    demo_folder: Path, in_demo_folder: None, capsys: pytest.CaptureFixture[str]
) -> None:
    [code] = [body for info, body in fenced_blocks(README.read_text()) if "sign_agreement" in body]
    agreement_id, sha256 = _agreement_to_sign(demo_folder)
    # The README's placeholders: the agreement and the hash its signatory read.
    scope: dict[str, Any] = {"AGREEMENT_ID": agreement_id, "TEXT_SHA256": sha256}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - the README's own example

    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 3, printed
    assert scope["case"]["owner"] == "zowonen" and printed[0].startswith(scope["case"]["phase"])
    assert printed[1].startswith("[") and len(scope["page"]["nodes"]) == 5
    assert scope["signed"]["status"] == "PROPOSED"
    assert sum(party["signedAt"] is not None for party in scope["signed"]["parties"]) == 1


def test_the_follow_cases_example_prints_the_cases_with_an_eviction_date(
    demo_folder: Path,
) -> None:
    ran = _example(demo_folder, "follow_cases.py", str(_key(demo_folder, "partners-in-welzijn")))

    assert ran.returncode == 0, ran.stderr
    *cases, summary = ran.stdout.splitlines()
    assert cases, ran.stdout  # the demo's welfare partner is in cases with an eviction date
    for line in map(json.loads, cases):
        assert line["evictionDate"] and {"owner", "contactName"} <= set(line["withheld"])
    assert re.fullmatch(rf"{len(cases)} of \d+ cases have an eviction date you may read", summary)


def test_the_async_overview_example_counts_cases_per_phase(demo_folder: Path) -> None:
    ran = _example(
        demo_folder, "async_overview.py", str(_key(demo_folder, "zowonen")), "--cases", "12"
    )

    assert ran.returncode == 0, ran.stderr
    counted = json.loads(ran.stdout)
    assert sum(counted.values()) == 12 and "null" not in counted  # the owner sees its phases


def test_the_sign_agreement_example_signs_only_the_text_expected(demo_folder: Path) -> None:
    agreement_id, sha256 = _agreement_to_sign(demo_folder)
    key = str(_key(demo_folder, "wij-groningen"))

    refused = _example(demo_folder, "sign_agreement.py", key, agreement_id, "--expect", "0" * 64)
    assert refused.returncode == 1
    assert "not signed: " in refused.stderr and "Traceback" not in refused.stderr
    signed = _example(demo_folder, "sign_agreement.py", key, agreement_id, "--expect", sha256)
    assert signed.returncode == 0, signed.stderr
    assert signed.stdout == "PROPOSED; signed by wij-groningen\n"
