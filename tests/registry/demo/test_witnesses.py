"""The demo's witnesses start as their own processes, keep their keys, and cosign."""

from __future__ import annotations

from pathlib import Path

import httpx

from registry.auditlog import merkle
from registry.auditlog.signer import LogSigner
from registry.demo import witnesses as demo_witnesses


def test_the_demo_runs_groningen_and_woonkans_as_witnesses_that_keep_their_keys(
    tmp_path: Path, log_signer: LogSigner
) -> None:
    warnings: list[str] = []
    with demo_witnesses.running(tmp_path, log_signer.verifier_key, warnings.append) as first:
        assert [w.partner for w in first] == ["gemeente-groningen", "bureau-woonkans"]
        note = log_signer.sign_checkpoint(0, merkle.EMPTY_ROOT)
        for witness in first:
            answer = httpx.post(f"{witness.url}/add-checkpoint", content=f"old 0\n\n{note}")
            assert answer.status_code == 200
            assert answer.text.startswith(f"— {witness.partner}.demo/witness ")
    assert warnings == []
    # The keys stay for the next run of the demo.
    for witness in first:
        folder = tmp_path / "witnesses" / witness.partner
        assert (folder / "witness.vkey").read_text().strip() == witness.vkey
        assert (folder / "witness.key").stat().st_mode & 0o777 == 0o600
