"""The commands that check the registry's signed audit log: ``checkpoint``, ``verify-entry`` and
``monitor``, with the log's verifier key and an optional witness policy ("k of these
witnesses")."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from clients.cli.context import Options, one_line, print_json, registry_client, reported
from clients.cosignature import WitnessPolicy
from clients.errors import VerificationError
from clients.logreader import LogReader, verify_entry
from clients.verify import verify_checkpoint

T = TypeVar("T")
#: Exit code of ``monitor`` when the log rolled back, forked or was truncated.
MISBEHAVIOUR_EXIT = 3


log_key_option = click.option(
    "--log-key",
    envvar="KETENREGISTER_LOG_KEY",
    metavar="VKEY",
    help="The log's verifier key (<origin>+<key ID>+<key>); default: the registry's /log/key.",
)


def witness_policy_options(command: Callable[..., T]) -> Callable[..., T]:
    """``--witness-key`` (repeated) and ``--witnesses-required``: "k of these witnesses"."""
    command = click.option(
        "--witnesses-required",
        envvar="KETENREGISTER_WITNESSES_REQUIRED",
        type=click.IntRange(min=1),
        metavar="K",
        help="How many of the --witness-key witnesses must have cosigned (default: all).",
    )(command)
    return click.option(
        "--witness-key",
        "witness_keys",
        multiple=True,
        envvar="KETENREGISTER_WITNESS_KEYS",
        metavar="WKEY",
        help="A witness's verifier key (<name>+<key ID>+<key>, type 0x04); repeat per witness.",
    )(command)


def _witness_policy(keys: tuple[str, ...], required: int | None) -> WitnessPolicy | None:
    if not keys:
        if required is not None:
            raise click.UsageError("--witnesses-required needs at least one --witness-key")
        return None
    try:
        return WitnessPolicy.of(keys, required)
    except VerificationError as exc:
        raise click.UsageError(one_line(str(exc))) from None


def _log_reader(options: Options) -> LogReader:
    return LogReader(registry_client(options))


def _verifier_key(reader: LogReader, log_key: str | None) -> str:
    if log_key:
        return log_key
    click.echo(
        "warning: trusting the log key the registry serves itself; pin it with --log-key",
        err=True,
    )
    return reader.verifier_key()


def _checked(check: Callable[[], T]) -> T:
    try:
        return check()
    except VerificationError as exc:
        raise click.ClickException(one_line(f"verification failed: {exc}")) from None


@click.command()
@log_key_option
@click.pass_obj
def checkpoint(options: Options, log_key: str | None) -> None:
    """Fetch the log's latest checkpoint, verify its signature, and print it."""
    reader = _log_reader(options)
    with reader.client, reported():
        vkey = _verifier_key(reader, log_key)
        note = reader.checkpoint()
    verified = _checked(lambda: verify_checkpoint(note, vkey))
    click.echo(f"checkpoint verified: {verified.origin}, {verified.size} entries", err=True)
    click.echo(note, nl=False)


@click.command("verify-entry")
@click.argument("index", type=click.IntRange(min=0))
@click.option("--tree-size", type=click.IntRange(min=1), help="Prove in this tree size.")
@click.option("--leaf-hash", metavar="B64", help="The leaf hash you were given for the entry.")
@log_key_option
@witness_policy_options
@click.pass_obj
def verify_entry_command(
    options: Options,
    index: int,
    tree_size: int | None,
    leaf_hash: str | None,
    log_key: str | None,
    witness_keys: tuple[str, ...],
    witnesses_required: int | None,
) -> None:
    """Fetch log entry INDEX with its inclusion proof, verify it offline, print it as JSON.

    When the registry shows the entry's event (as the policies allow), the event is checked
    against the commitment in the entry's leaf and printed too; otherwise ``event`` is null.
    With --witness-key, the checkpoint it is proved in must carry enough of those witnesses'
    cosignatures: by default the latest checkpoint the registry had cosigned (GET /checkpoint).
    """
    policy = _witness_policy(witness_keys, witnesses_required)
    expected = None
    if leaf_hash is not None:
        try:
            expected = base64.b64decode(leaf_hash, validate=True)
        except ValueError:
            raise click.BadParameter("not base64", param_hint="--leaf-hash") from None
    reader = _log_reader(options)
    with reader.client, reported():
        vkey = _verifier_key(reader, log_key)
        if policy is not None and tree_size is None:
            # The registry collects cosignatures when /checkpoint is asked for; prove the
            # entry in that checkpoint rather than in one the witnesses have not seen yet.
            note = reader.checkpoint()
            tree_size = _checked(lambda: verify_checkpoint(note, vkey)).size or None
        entry = reader.entry(index, tree_size)
    verified = _checked(
        lambda: verify_entry(entry, vkey, expected_leaf_hash=expected, witnesses=policy)
    )
    event = _checked(lambda: entry.event)
    click.echo(
        f"entry {index} is in the log of {verified.size} entries "
        f"(checkpoint of {verified.origin} verified"
        + (f", cosigned by {policy.required} of the witnesses required); " if policy else "); ")
        + (
            "its event matches the entry's commitment"
            if event is not None
            else "its event is withheld from you"
        ),
        err=True,
    )
    print_json(
        {
            "index": entry.index,
            "treeSize": verified.size,
            "leafHash": base64.b64encode(entry.leaf_hash).decode(),
            "entry": None if entry.data is None else json.loads(entry.data),
            "event": event,
        }
    )


@click.command()
@click.option(
    "--state",
    "state_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the last good checkpoint is remembered (JSON).",
)
@log_key_option
@witness_policy_options
@click.pass_obj
def monitor(
    options: Options,
    state_file: Path,
    log_key: str | None,
    witness_keys: tuple[str, ...],
    witnesses_required: int | None,
) -> None:
    """Check that the log only grew since the checkpoint remembered in --state (and, with
    --witness-key, that enough of those witnesses cosigned the new checkpoint)."""
    policy = _witness_policy(witness_keys, witnesses_required)
    reader = _log_reader(options)
    with reader.client, reported():
        vkey = _verifier_key(reader, log_key)
        report = _checked(lambda: reader.monitor(state_file, vkey, witnesses=policy))
    if policy is not None and report.ok:
        click.echo(f"witnesses: at least {policy.required} of {len(policy.keys)} cosigned")
    click.echo(f"{report.outcome}: {report.detail}")
    if not report.ok:
        for note in report.evidence:
            click.echo(note, err=True, nl=False)
        click.get_current_context().exit(MISBEHAVIOUR_EXIT)
