"""The SDK as a partner installs it: ``pip install ./clients`` into a fresh virtualenv, with
nothing of the server importable, reading a case from a live registry, checking a webhook and
running ``ketenregister-client``.

Building the virtualenv takes 15-30 s and needs the package index, so it runs only with
``KETENREGISTER_TEST_FRESH_VENV=1`` (as ``.ci/run`` does, beside the image's install step).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import Case, Involvement
from tests.clients.conftest import key_file_for
from tests.conftest import DemoKey

ROOT = Path(__file__).parent.parent.parent

#: What the partner's program does with the SDK alone.
PARTNER_PROGRAM = """
import base64, hashlib, hmac, json, sys
from clients import RegistryClient, verify_webhook

with RegistryClient.from_key_file(
    sys.argv[1], act="outreach-worker-3", purpose="eviction_prevention"
) as client:
    case = client.case(sys.argv[2])
secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
body = b'{"type":"eviction.scheduled","data":{"caseId":"c-1"}}'
mac = hmac.new(b"k" * 32, b"msg_1.1700000000." + body, hashlib.sha256).digest()
headers = {"webhook-id": "msg_1", "webhook-timestamp": "1700000000",
           "webhook-signature": "v1," + base64.b64encode(mac).decode()}
event = verify_webhook(secret, headers, body, now=1700000010)
print(json.dumps({"case": case, "event": event["type"]}))
"""


@pytest.fixture(scope="module")
def sdk_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with only ``ketenregister-client`` installed, from a copy of
    ``clients/`` (building in the checkout would leave build files there)."""
    if not os.environ.get("KETENREGISTER_TEST_FRESH_VENV"):
        pytest.skip(
            "builds a fresh virtualenv: run with KETENREGISTER_TEST_FRESH_VENV=1, as CI does"
        )
    work = tmp_path_factory.mktemp("sdk")
    shutil.copytree(
        ROOT / "clients", work / "clients", ignore=shutil.ignore_patterns("__pycache__")
    )
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(work / "clients")],
        check=True,
        timeout=600,
    )
    return venv / "bin"


def _in_venv(bin_dir: Path, cwd: Path, *command: str) -> subprocess.CompletedProcess[str]:
    # Run from an empty folder: the checkout on sys.path would make the server importable.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KETENREGISTER_", "PYTHON"))}
    return subprocess.run(
        [str(bin_dir / command[0]), *command[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_sdk_installed_alone_works_against_a_live_registry(
    sdk_venv: Path,
    registry_url: str,
    demo_keys: dict[str, DemoKey],
    sessions: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    for server_package in ("registry", "schema", "policies", "starlette", "sqlalchemy"):
        imported = _in_venv(sdk_venv, tmp_path, "python", "-c", f"import {server_package}")
        assert imported.returncode != 0 and "ModuleNotFoundError" in imported.stderr
    with sessions() as session:
        case_id = str(
            session.scalar(
                select(Case.id)
                .join(Involvement, Involvement.case_id == Case.id)
                .where(
                    Case.owner_id == "zowonen",
                    Involvement.partner_id == "partners-in-welzijn",
                    Case.eviction_date.is_not(None),
                )
                .limit(1)
            )
        )
    key_file = key_file_for(tmp_path, demo_keys["partners-in-welzijn"], registry_url)
    program = tmp_path / "partner.py"
    program.write_text(PARTNER_PROGRAM, encoding="utf-8")
    ran = _in_venv(sdk_venv, tmp_path, "python", str(program), str(key_file), case_id)
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    assert result["case"]["id"] == case_id and result["case"]["owner"] is None  # policies held
    assert result["case"]["evictionDate"]  # released for this purpose
    assert "contactName" in result["case"]["withheld"]
    assert result["event"] == "eviction.scheduled"
    examples = sdk_venv.parent.parent / "clients" / "examples"
    followed = _in_venv(
        sdk_venv, tmp_path, "python", str(examples / "follow_cases.py"), str(key_file)
    )
    assert followed.returncode == 0, followed.stderr
    assert followed.stdout.rstrip().endswith("cases have an eviction date you may read")
    overview = _in_venv(
        sdk_venv, tmp_path, "python", str(examples / "async_overview.py"), str(key_file)
    )
    assert overview.returncode == 0, overview.stderr
    assert json.loads(overview.stdout)  # the asyncio client, with the SDK alone
    version = _in_venv(sdk_venv, tmp_path, "ketenregister-client", "--version")
    assert version.returncode == 0, version.stderr
    assert re.fullmatch(r"ketenregister-client, version \d+\.\d+\.\d+\n", version.stdout)
    queried = _in_venv(
        sdk_venv,
        tmp_path,
        "ketenregister-client",
        "--key-file",
        str(key_file),
        "query",
        "{ __typename }",
    )
    assert queried.returncode == 0, queried.stderr
    assert json.loads(queried.stdout) == {"__typename": "Query"}
    made = _in_venv(
        sdk_venv,
        tmp_path,
        "ketenregister-client",
        "witness",
        "keygen",
        "--name",
        "partner.example/witness",
        "--out",
        "w.key",
    )
    assert made.returncode == 0, made.stderr  # a witness key is made without the extra
    witness = _in_venv(
        sdk_venv,
        tmp_path,
        "ketenregister-client",
        "witness",
        "serve",
        "--secret-key",
        "w.key",
        "--state-file",
        "w.json",
        "--log-key",
        httpx.get(f"{registry_url}/log/key").text.strip(),
    )
    assert witness.returncode == 1
    assert "needs the SDK's 'witness' extra" in witness.stderr and "Traceback" not in witness.stderr
