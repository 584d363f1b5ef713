"""The README is the front door: every command it shows works as printed.

Every ```sh block of README.md is run here, or listed in ``NOT_RUN`` with the reason; so is
every command block ``ketenregister demo`` prints. A block that is neither fails the test, so
neither can grow a command nobody ran (the README's Python, a webhook receiver, runs too).

The commands run through ``bash -c`` as printed, with the README's ``.venv/bin/...`` paths
(``terminal.Terminal``: a temporary working directory whose ``.venv/bin`` is the environment
running these tests), against a demo registry this module starts once (``ketenregister demo``
in its own directory, on a free port; the key files it writes name that port, so the commands
need no port). What is filled in is only what the README marks as a placeholder (``<...>``),
and what each test names with its reason: ports the README fixes (7380, 8000: a test must not
depend on them being free), the PostgreSQL URL of "Running a registry", a key id the previous
command printed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.docs.snippets import commands, fenced_blocks, instruction_blocks
from tests.docs.terminal import Terminal
from tests.servers import free_port

ROOT = Path(__file__).parent.parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

_INSTALL = re.escape("python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && ")
#: Commands not run here, by a pattern of the whole command, with the reason. A README block
#: is not run when every command of it is one of these.
NOT_RUN = {
    _INSTALL + re.escape(".venv/bin/ketenregister demo"): (
        "installs the project, which CI does with exactly this line (.ci/run); the demo it "
        "starts is the one this module starts, on a free port instead of 8000"
    ),
    _INSTALL + re.escape(".venv/bin/python -m pytest"): (
        "installs the project and runs the whole suite, this test included: CI runs exactly it"
    ),
    r"\.venv/bin/python (bench/\w+\.py) +# .+": (
        "benchmarks take minutes and assert nothing (each prints its figures); "
        "test_the_benchmarks_the_readme_names_exist checks that each script is there"
    ),
}


def _not_run(block: str) -> bool:
    return all(
        any(re.fullmatch(pattern, command) for pattern in NOT_RUN) for command in commands(block)
    )


#: README blocks run here, each by a phrase only that block holds (``readme_commands``).
README_RUN = (
    "var/demo/keys/partners-in-welzijn.json",
    "KETENREGISTER_LOG_KEY='",
    "witness keygen",
    "KETENREGISTER_WITNESS_KEYS=",
    "ketenregister db upgrade",
    "partner add-key",
)

#: Blocks ``ketenregister demo`` prints, each by a phrase only that block holds: the same
#: first four whether it serves or not, then its witnesses, running or to be run by hand.
DEMO_RUN = (
    "gemeente-sittard-geleen.json",
    "webhooks listen",
    "agreementFigures",
    "KETENREGISTER_WITNESS_KEYS=",
    "witness keygen",
)

#: The README's placeholder for the log's verifier key, which the registry publishes.
LOG_KEY = "<the verifier key, compared once with what the registry publishes>"


def readme_commands(phrase: str) -> list[str]:
    """The commands of the one README ``sh`` block holding ``phrase``."""
    assert phrase in README_RUN
    [block] = [body for info, body in fenced_blocks(README) if info == "sh" and phrase in body]
    return commands(block)


def demo_commands(printed: str, phrase: str) -> list[str]:
    """The commands of the one block of the demo's instructions holding ``phrase``."""
    assert phrase in DEMO_RUN
    [block] = [block for block in instruction_blocks(printed) if phrase in block]
    return commands(block)


@dataclass(frozen=True)
class Demo:
    """The demo registry set up by ``ketenregister demo --no-serve``, in ``directory``."""

    directory: Path
    url: str
    printed: str


@dataclass(frozen=True)
class ServedDemo:
    """The demo while ``ketenregister demo`` serves it, and what it printed."""

    url: str
    printed: str


@pytest.fixture(scope="module")
def running_a_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Future[None]]:
    """``_run_a_registry`` in a thread, started with the demo: it needs none, so it runs
    beside the demo's tests rather than adding its half a minute of commands after them."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        yield thread.submit(_run_a_registry, tmp_path_factory.mktemp("registry"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, running_a_registry: Future[None]) -> Demo:
    """The README's quick start in a directory of its own (data in var/demo), not serving yet.
    ``running_a_registry`` is asked for only to start it first, beside the demo."""
    terminal = Terminal(tmp_path_factory.mktemp("demo"))
    port = free_port()
    printed = terminal.run(f".venv/bin/ketenregister demo --no-serve --port {port}").stdout
    return Demo(terminal.directory, f"http://127.0.0.1:{port}", printed)


@pytest.fixture(scope="module")
def served(demo: Demo) -> Iterator[ServedDemo]:
    """``ketenregister demo`` serving the demo in the background, once its witnesses cosigned.
    First asked for after the by-hand witness test, whose registry serves on the same port."""
    port = demo.url.rsplit(":", 1)[1]
    (demo.directory / "serving").mkdir()
    terminal = Terminal(demo.directory / "serving")
    (terminal.directory / "var").symlink_to(demo.directory / "var")
    command = f".venv/bin/ketenregister demo --port {port}"
    with terminal.started(command, ready=f"{demo.url}/healthz") as running:
        printed = running.stdout()
        _cosigned_checkpoint(demo.url, *(vkey.split("+")[0] for vkey in _witness_keys(printed)))
        yield ServedDemo(demo.url, printed)


@pytest.fixture
def reader(demo: Demo, tmp_path: Path) -> Terminal:
    """A fresh terminal in a directory where ``var/demo`` is the demo's, as in a checkout."""
    terminal = Terminal(tmp_path)
    (tmp_path / "var").symlink_to(demo.directory / "var")
    return terminal


def _witness_keys(printed: str) -> list[str]:
    """The keys of the witnesses the serving demo runs, as it prints them (none if none)."""
    keys = re.search(r"KETENREGISTER_WITNESS_KEYS='([^']*)'", printed)
    return [] if keys is None else keys[1].split()


def _cosigned_checkpoint(url: str, *witnesses: str) -> str:
    """``GET /checkpoint`` once it carries a cosignature of each of ``witnesses`` (names), or
    after 30 s: the registry asks its witnesses then, and one that did not answer in time
    again after a back-off."""
    deadline = time.monotonic() + 30
    while True:
        note = httpx.get(f"{url}/checkpoint").text
        signers = {line.split()[1] for line in note.splitlines() if line.startswith("— ")}
        if signers >= set(witnesses) or time.monotonic() > deadline:
            return note
        time.sleep(0.5)


def _nodes(printed: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = json.loads(printed)["cases"]["nodes"]
    assert nodes, printed
    return nodes


def _published_log_key(url: str) -> str:
    return httpx.get(f"{url}/log/key").text.strip()


def _export_the_log_key(reader: Terminal, url: str) -> None:
    """The README's ``export KETENREGISTER_LOG_KEY=...`` line, as a reader ran it above."""
    export = readme_commands("KETENREGISTER_LOG_KEY='")[0]
    reader.run(export, {LOG_KEY: _published_log_key(url)})


def _nijestee_key_file(reader: Terminal) -> None:
    """Nijestee's own key file, where the README's commands expect it: ``nijestee.json``."""
    shutil.copy(reader.directory / "var/demo/keys/nijestee.json", reader.directory)


# -- every block is run or listed --------------------------------------------------------------


def test_every_readme_shell_block_is_run_or_listed_as_not_runnable() -> None:
    blocks = fenced_blocks(README)
    # Python is run by test_the_readme_s_webhook_receiver_answers_as_it_says, and the SDK's
    # by tests/clients/test_examples.py.
    assert {info for info, _ in blocks} <= {"sh", "python"}, (
        "mark shell commands ```sh, so that this test runs them"
    )
    shell = [body for info, body in blocks if info == "sh"]
    for block in shell:
        claimed = [phrase for phrase in README_RUN if phrase in block]
        assert len(claimed) + _not_run(block) == 1, (
            f"run this README block in {__name__}, or list it in NOT_RUN with the reason:\n{block}"
        )
    for pattern in NOT_RUN:
        assert any(re.fullmatch(pattern, c) for b in shell for c in commands(b)), pattern
    for phrase in README_RUN:
        assert sum(phrase in block for block in shell) == 1, phrase


def test_the_benchmarks_the_readme_names_exist() -> None:
    [block] = [body for info, body in fenced_blocks(README) if info == "sh" and "bench/" in body]
    for command in commands(block):
        script = re.fullmatch(r"\.venv/bin/python (bench/\w+\.py) +# .+", command)
        assert script is not None, command
        assert (ROOT / script[1]).is_file(), command


def test_the_readme_s_webhook_receiver_answers_as_it_says() -> None:
    # The other Python block, the SDK's, runs in tests/clients/test_examples.py.
    [code] = [b for info, b in fenced_blocks(README) if info == "python" and "def receive(" in b]
    key = bytes(range(32))
    receiver: dict[str, Any] = {"SECRET": "whsec_" + base64.b64encode(key).decode()}
    exec(compile(code, "README.md", "exec"), receiver)  # noqa: S102 - the README's own example
    body = json.dumps({"type": "case.closed", "data": {"eventId": "e1", "caseId": "c1"}}).encode()
    timestamp = str(int(time.time()))
    mac = hmac.new(key, f"msg_1.{timestamp}.".encode() + body, hashlib.sha256).digest()
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": timestamp,
        "webhook-signature": "v1," + base64.b64encode(mac).decode(),
    }
    assert receiver["receive"](headers, body) == 204
    assert receiver["receive"](headers, body.replace(b"c1", b"c2")) == 400


# -- what the demo prints ----------------------------------------------------------------------


def test_the_demo_witnesses_run_by_hand_cosign_what_serve_serves(
    demo: Demo, reader: Terminal
) -> None:
    # Before `served`: this serve runs on the demo's port, which the key files name.
    keygen, witness, registry = demo_commands(demo.printed, "witness keygen")
    vkey = reader.run(keygen).stdout.strip()
    assert vkey.startswith("groningen.demo/witness+")
    port = free_port()  # the demo prints 7380, which need not be free here
    witness_url = {"127.0.0.1:7380": f"127.0.0.1:{port}"}
    with (
        reader.started(
            witness, {"--port 7380": f"--port {port}"}, ready=f"http://127.0.0.1:{port}/"
        ),
        reader.started(registry, {**witness_url, "<its key>": vkey}, ready=f"{demo.url}/readyz"),
    ):
        note = _cosigned_checkpoint(demo.url, "groningen.demo/witness")
    assert any(line.startswith("— groningen.demo/witness ") for line in note.splitlines()), note


def test_every_block_the_demo_prints_is_run(demo: Demo, served: ServedDemo) -> None:
    for printed in (demo.printed, served.printed):
        assert f"Ketenregister demo on {demo.url}/graphql" in printed
        for block in instruction_blocks(printed):
            claimed = [phrase for phrase in DEMO_RUN if phrase in block]
            assert len(claimed) == 1, f"run this block the demo prints in {__name__}:\n{block}"
    # The blocks both print are run from what the serving demo printed.
    by_hand = demo_commands(demo.printed, "witness keygen")
    shared = [b for b in instruction_blocks(demo.printed) if commands(b) != by_hand]
    assert shared == instruction_blocks(served.printed)[: len(shared)]


def test_the_demo_s_queries_show_each_partner_what_the_policies_release(
    served: ServedDemo, reader: Terminal
) -> None:
    welzijn, municipality = demo_commands(served.printed, "gemeente-sittard-geleen.json")
    for case in _nodes(reader.run(welzijn).stdout):
        assert case["municipality"] is None and case["owner"] is None
        assert {"municipality", "owner"} <= set(case["withheld"])
        assert "evictionDate" not in case["withheld"]
    for case in _nodes(reader.run(municipality).stdout):
        assert case["contactName"] and case["arrearsAmount"]
        assert not {"contactName", "arrearsAmount"} & set(case["withheld"])


def test_the_demo_s_webhook_receiver_subscribes_itself_and_unsubscribes_when_stopped(
    served: ServedDemo, reader: Terminal
) -> None:
    [listen] = demo_commands(served.printed, "webhooks listen")
    port = free_port()  # the demo prints 9000, which need not be free here
    url = f"http://127.0.0.1:{port}/hook"
    subscriptions = (
        ".venv/bin/ketenregister-client --key-file var/demo/keys/partners-in-welzijn.json "
        "query '{ webhookSubscriptions { url active } }'"
    )
    with reader.started(listen, {"--port 9000": f"--port {port}"}, ready=url) as running:
        assert f"subscribed {url} to eviction.scheduled" in running.printed()
        listed = json.loads(reader.run(subscriptions).stdout)["webhookSubscriptions"]
        assert {"url": url, "active": True} in listed
    listed = json.loads(reader.run(subscriptions).stdout)["webhookSubscriptions"]
    assert {"url": url, "active": False} in listed


def test_the_demo_s_agreement_figures_and_log_commands_work(
    served: ServedDemo, reader: Terminal
) -> None:
    figures, export, checkpoint, verify, monitor = demo_commands(served.printed, "agreementFigures")
    rows = json.loads(reader.run(figures).stdout)["agreementFigures"]
    assert [row["year"] for row in rows] == [2025, 2026]
    assert rows[0]["applications"] > 0
    reader.run(export)
    log_key = reader.env["KETENREGISTER_LOG_KEY"]
    assert log_key == _published_log_key(served.url)
    shown = reader.run(checkpoint)
    assert shown.stdout.splitlines()[0] == log_key.split("+")[0]
    assert "checkpoint verified" in shown.stderr
    assert json.loads(reader.run(verify).stdout)["index"] == 0
    assert reader.run(monitor).stdout.startswith("ok: ")


def test_the_demo_s_witnesses_cosign(served: ServedDemo, reader: Terminal) -> None:
    assert "gemeente-groningen on http" in served.printed
    assert "bureau-woonkans on http" in served.printed
    export, monitor = demo_commands(served.printed, "KETENREGISTER_WITNESS_KEYS=")
    reader.run(export)
    assert reader.env["KETENREGISTER_WITNESS_KEYS"].split() == _witness_keys(served.printed)
    assert len(_witness_keys(served.printed)) == 2
    reader.run(demo_commands(served.printed, "agreementFigures")[1])  # its log key, above
    assert "witnesses: at least 2 of 2 cosigned" in reader.run(monitor).stdout


# -- the README --------------------------------------------------------------------------------


def test_quick_start_query_shows_partners_in_welzijn_only_the_eviction_date(
    served: ServedDemo, reader: Terminal
) -> None:
    [query] = readme_commands("var/demo/keys/partners-in-welzijn.json")
    cases = _nodes(reader.run(query).stdout)
    assert any(case["evictionDate"] for case in cases)
    for case in cases:
        assert case["contactName"] is None
        assert {"contactName", "municipality", "owner", "phase"} <= set(case["withheld"])
        assert "evictionDate" not in case["withheld"]


def test_a_partner_checks_the_log_with_nothing_but_its_key(
    served: ServedDemo, reader: Terminal
) -> None:
    export, checkpoint, verify, verify_leaf, monitor = readme_commands("KETENREGISTER_LOG_KEY='")
    _nijestee_key_file(reader)
    reader.run(export, {LOG_KEY: _published_log_key(served.url)})
    shown = reader.run(checkpoint)
    assert shown.stdout.splitlines()[0] == "ketenregister.local/log"
    assert "checkpoint verified" in shown.stderr
    verified = reader.run(verify)
    entry = json.loads(verified.stdout)
    assert entry["index"] == 42 and entry["entry"]["index"] == 42
    assert "entry 42 is in the log" in verified.stderr
    given = "<the leaf hash you were given>"
    leaf = {given: entry["leafHash"]}
    assert json.loads(reader.run(verify_leaf, leaf).stdout)["leafHash"] == entry["leafHash"]
    another = base64.b64encode(bytes(32)).decode()
    refused = reader.run(verify_leaf, {given: another}, status=1)
    assert "leaf hash" in refused.stderr
    assert reader.run(monitor).stdout.startswith("ok: first checkpoint")
    assert (reader.directory / "log-state.json").is_file()


def test_a_partner_runs_a_witness(served: ServedDemo, reader: Terminal) -> None:
    keygen, serve = readme_commands("witness keygen")
    vkey = reader.run(keygen).stdout.strip()
    # <name>+<key ID>+<base64(0x04 || key)>
    name, key_id, key = vkey.split("+", 2)
    assert name == "groningen.nl/ketenregister-witness"
    assert re.fullmatch(r"[0-9a-f]{8}", key_id)
    assert base64.b64decode(key)[:1] == b"\x04" and len(base64.b64decode(key)) == 33
    _export_the_log_key(reader, served.url)
    port = free_port()  # the README's 7380 need not be free here
    url = f"http://127.0.0.1:{port}"
    with reader.started(serve, {"--port 7380": f"--port {port}"}, ready=f"{url}/"):
        note = httpx.get(f"{served.url}/checkpoint").text
        answer = httpx.post(f"{url}/add-checkpoint", content=f"old 0\n\n{note}")
        assert answer.status_code == 200, answer.text
    [cosignature] = answer.text.splitlines()
    assert cosignature.startswith("— groningen.nl/ketenregister-witness ")
    assert (reader.directory / "witness-state.json").is_file()


def test_a_partner_requires_k_of_the_demo_witnesses(served: ServedDemo, reader: Terminal) -> None:
    export, monitor, verify = readme_commands("KETENREGISTER_WITNESS_KEYS=")
    _nijestee_key_file(reader)
    _export_the_log_key(reader, served.url)
    first, second = _witness_keys(served.printed)  # the demo prints both of its witnesses' keys
    reader.run(export, {"<witness key 1>": first, "<witness key 2>": second})
    assert "witnesses: at least 2 of 2 cosigned" in reader.run(monitor).stdout
    assert "cosigned by 1 of the witnesses required" in reader.run(verify).stderr


def test_running_a_registry_on_sqlite_and_rotating_a_partner_key(
    running_a_registry: Future[None],
) -> None:
    running_a_registry.result()


def _run_a_registry(tmp_path: Path) -> None:
    """The README's "Running a registry", then its key rotation while the registry serves."""
    terminal = Terminal(tmp_path)
    (
        export_database,
        upgrade,
        municipality,
        partner,
        keygen,
        log_keygen,
        export_log,
        data_key,
        export_data_key,
        serve,
    ) = readme_commands("ketenregister db upgrade")
    # The README points at a PostgreSQL server; the same commands run here on a SQLite file.
    database = {"postgresql://user:pass@host/db": f"sqlite:///{tmp_path / 'registry.sqlite3'}"}
    terminal.run(export_database, database)
    terminal.run(upgrade)
    terminal.run(municipality)
    terminal.run(partner)
    made = re.fullmatch(
        r"key (\S+) registered; key file written to (\S+)\n", terminal.run(keygen).stdout
    )
    assert made is not None
    first_kid = made[1]
    assert json.loads((tmp_path / made[2]).read_text())["kid"] == first_kid
    origin, log_key_id, _ = terminal.run(log_keygen).stdout.strip().split("+", 2)
    assert origin == "ketenregister.example.nl/log"
    terminal.run(export_log)
    terminal.run(data_key)
    assert len(base64.b64decode((tmp_path / "data.key").read_text())) == 32
    terminal.run(export_data_key)
    port = free_port()  # the README's 8000 need not be free here
    url = f"http://127.0.0.1:{port}"
    with terminal.started(serve, {"--port 8000": f"--port {port}"}, ready=f"{url}/readyz"):
        note = httpx.get(f"{url}/checkpoint").text
        assert note.splitlines()[0] == origin
        signature = note.split(f"\n— {origin} ")[1].strip()
        assert base64.b64decode(signature)[:4].hex() == log_key_id

        add_key, keys, revoke = readme_commands("partner add-key")
        public_key = Ed25519PrivateKey.generate().public_key()
        (tmp_path / "public-key.pem").write_bytes(
            public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        )
        added = re.fullmatch(
            r"key (\S+) registered for gemeente-zaanstad\n", terminal.run(add_key).stdout
        )
        assert added is not None
        kid = added[1]
        listed = terminal.run(keys).stdout
        assert re.search(rf"^{first_kid} .* in use$", listed, re.MULTILINE), listed
        assert re.search(rf"^{kid} .* in use$", listed, re.MULTILINE), listed
        revoked = terminal.run(revoke, {"gemeente-zaanstad-0123abcd": kid}).stdout
        assert revoked.startswith(f"key {kid} of gemeente-zaanstad revoked")
        listed = terminal.run(keys).stdout
        assert re.search(rf"^{kid} .* revoked \S+$", listed, re.MULTILINE), listed
        assert re.search(rf"^{first_kid} .* in use$", listed, re.MULTILINE), listed
