"""``ketenregister-client``: the partner command line over the SDK.

::

    ketenregister-client keygen --partner ID --kid KID --registry URL --audience AUD --out FILE
    ketenregister-client --key-file FILE [--act WHO] [--purpose WHY] case CASE_ID
    ketenregister-client --key-file FILE query '{ ... }' [--variables JSON]
    ketenregister-client --key-file FILE query @query.graphql
    ketenregister-client --key-file FILE token      # one bearer token, e.g. for GraphiQL
    ketenregister-client --key-file FILE checkpoint [--log-key VKEY]
    ketenregister-client --key-file FILE verify-entry INDEX [--leaf-hash B64] [--log-key VKEY]
        [--witness-key WKEY ... [--witnesses-required K]]
    ketenregister-client --key-file FILE monitor --state FILE [--log-key VKEY]
        [--witness-key WKEY ... [--witnesses-required K]]
    ketenregister-client witness keygen --name NAME --out FILE
    ketenregister-client witness serve --secret-key FILE --state-file FILE --log-key VKEY
        [--host 127.0.0.1] [--port 7380]
    ketenregister-client [--key-file FILE] webhooks listen [--port 9000] [--path /hook]
        (--secret WHSEC | --subscribe EVENT ...)

Registry and network errors, and failed log checks, end in a one-line message on stderr and
exit code 1; ``monitor`` exits with 3 when the log rolled back, forked or was truncated.
The log's verifier key comes from ``--log-key`` (or ``KETENREGISTER_LOG_KEY``); without it
the key the registry serves is used, with a warning: pin it. ``--witness-key`` (repeated, or
``KETENREGISTER_WITNESS_KEYS``) and ``--witnesses-required`` (default: all of them) make
``verify-entry`` and ``monitor`` fail unless that many of those witnesses cosigned the
checkpoint.

Example:
    The commands run from Python too (``standalone_mode=False``: an error raises instead of
    ending the process); here as ZOwonen, with its demo key file:

    >>> from clients.cli import main
    >>> main(["--key-file", "var/demo/keys/zowonen.json", "query", "{ __typename }"],
    ...      standalone_mode=False)
    {
      "__typename": "Query"
    }
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import click

from clients.cli import log, partner, webhooks, witness
from clients.cli.context import Options

__all__ = ["main"]


def _version() -> str:
    """The SDK's version: of ``ketenregister-client`` as a partner installs it alone, or of the
    server's distribution, which carries the same package for the registry's developers."""
    for distribution in ("ketenregister-client", "ketenregister"):
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), prog_name="ketenregister-client")
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Partner key file (JSON) with partner id, key id, private key, registry URL.",
)
@click.option("--act", metavar="WHO", help="Staff member acting, for the access log.")
@click.option("--purpose", metavar="WHY", help="Processing purpose, e.g. eviction_prevention.")
@click.pass_context
def main(ctx: click.Context, key_file: Path | None, act: str | None, purpose: str | None) -> None:
    """Ketenregister partner client: keys, cases and GraphQL queries."""
    ctx.obj = Options(key_file=key_file, act=act, purpose=purpose)


for command in (
    partner.keygen,
    partner.case,
    partner.query,
    partner.token,
    log.checkpoint,
    log.verify_entry_command,
    log.monitor,
    witness.witness,
    webhooks.webhooks,
):
    main.add_command(command)
