"""The truth table decided by another Casbin implementation: node-casbin (npm ``casbin``) reads
the same ``model.conf`` and the same rows the registry hands pycasbin, and must decide every
field of every row of ``test_truth_table.TABLE`` the same way. So the model uses nothing but
what every Casbin implementation understands.

CI installs node-casbin with ``npm ci`` in ``tests/policies/node``; the test skips, saying
why, only when ``node`` itself is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from policies import PolicyEngine
from policies.decisions import MODEL_PATH, casbin_request
from registry.access.vocabulary import VOCABULARY
from tests.policies.test_truth_table import TABLE, key_of, row_id

NODE_DIR = Path(__file__).with_name("node")


def _node_decisions(engine: PolicyEngine, requests: list[tuple[str, ...]]) -> list[bool]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: node-casbin cannot be run here")
    if not (NODE_DIR / "node_modules" / "casbin").is_dir():
        pytest.fail(f"node-casbin is not installed: run `npm ci` in {NODE_DIR}")
    policies, groupings = engine.casbin_rules()
    payload = {
        "model": MODEL_PATH.read_text(),
        "policies": policies,
        "groupings": groupings,
        "requests": [list(r) for r in requests],
    }
    done = subprocess.run(
        [node, "decide.mjs"],
        cwd=NODE_DIR,
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    decisions: list[bool] = json.loads(done.stdout)
    return decisions


def test_node_casbin_decides_the_truth_table_as_pycasbin_does(engine: PolicyEngine) -> None:
    requests = [
        (row, field, casbin_request(key_of(row), field))
        for row in TABLE
        for field in VOCABULARY.names
    ]
    theirs = _node_decisions(engine, [r for _, _, r in requests])
    assert len(theirs) == len(requests)
    disagreements = []
    for (row, field, _), node_allowed in zip(requests, theirs, strict=True):
        ours = field in engine.readable_fields(key_of(row))
        if node_allowed != ours:
            disagreements.append(
                f"{row_id(row)} {field}: pycasbin {ours}, node-casbin {node_allowed}"
            )
        # And both agree with what the table says a user sees.
        assert ours == (field in row.expected), f"{row_id(row)} {field}"
    assert disagreements == []
