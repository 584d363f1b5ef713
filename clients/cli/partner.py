"""The commands of a partner system's everyday work: make its key, sign a token, read a case,
run a GraphQL query."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from clients.cli.context import Options, one_line, print_json, registry_client, reported
from clients.keyfile import KeyFile, KeyFileError, load_key_file, write_key_file
from clients.tokens import generate_key_pair, key_id_of, sign_token


@click.command()
@click.option("--partner", required=True, help="Partner id (slug).")
@click.option(
    "--kid",
    default=None,
    help="Key id; by default the one the registry gives this key when it is registered.",
)
@click.option("--registry", required=True, metavar="URL", help="The registry's base URL.")
@click.option("--audience", required=True, help="The registry's audience string.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Key file to write (mode 0600).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing key file.")
def keygen(
    partner: str, kid: str | None, registry: str, audience: str, out: Path, force: bool
) -> None:
    """Generate a key pair, write the key file, print the public key to register."""
    private_pem, public_pem = generate_key_pair()
    if kid is None:
        kid = key_id_of(partner, public_pem)
    key_file = KeyFile(
        partner=partner, kid=kid, private_key=private_pem, registry=registry, audience=audience
    )
    try:
        write_key_file(out, key_file, overwrite=force)
    except (KeyFileError, OSError) as exc:
        raise click.ClickException(one_line(str(exc))) from None
    click.echo(
        f"Wrote {out} (mode 0600). Register this public key for partner {partner!r}, "
        f"key id {kid!r}:",
        err=True,
    )
    click.echo(public_pem, nl=False)


@click.command()
@click.argument("case_id")
@click.pass_obj
def case(options: Options, case_id: str) -> None:
    """Print the shared case record CASE_ID as JSON."""
    with registry_client(options) as client, reported():
        record = client.case(case_id)
    if record is None:
        click.echo(f"case {case_id} not found (or not visible to you)", err=True)
        click.get_current_context().exit(1)
    print_json(record)


@click.command()
@click.argument("query_text", metavar="QUERY_OR_@FILE")
@click.option("--variables", metavar="JSON", help="Variables as a JSON object.")
@click.pass_obj
def query(options: Options, query_text: str, variables: str | None) -> None:
    """Run a GraphQL query (text, @FILE, or @- for stdin) and print its data as JSON."""
    if query_text.startswith("@"):
        with click.open_file(query_text[1:], encoding="utf-8") as source:
            query_text = source.read()
    parsed: dict[str, Any] | None = None
    if variables is not None:
        try:
            value = json.loads(variables)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="--variables") from None
        if not isinstance(value, dict):
            raise click.BadParameter("must be a JSON object", param_hint="--variables")
        parsed = value
    with registry_client(options) as client, reported():
        data = client.execute(query_text, parsed)
    print_json(data)


@click.command()
@click.option("--lifetime", default=120, show_default=True, help="Seconds (at most 300).")
@click.pass_obj
def token(options: Options, lifetime: int) -> None:
    """Print one fresh bearer token (for GraphiQL or curl); it is accepted once."""
    if options.key_file is None:
        raise click.UsageError("--key-file is required for this command")
    try:
        key = load_key_file(options.key_file)
        click.echo(
            sign_token(
                partner_id=key.partner,
                key_id=key.kid,
                private_key=key.private_key,
                audience=key.audience,
                act=options.act,
                purpose=options.purpose,
                lifetime=lifetime,
            )
        )
    except (KeyFileError, OSError, ValueError) as exc:
        raise click.ClickException(one_line(str(exc))) from None
