"""``ketenregister``: run, migrate and administer a registry (a composition root)."""

from __future__ import annotations

import click

from registry.cli import datakey, demo, imports, log, monitor, partners, privacy, server, staff

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ketenregister", prog_name="ketenregister")
def main() -> None:
    """Ketenregister: the shared registry for eviction-prevention chain partners."""


for command in (
    server.db,
    server.serve,
    server.worker_command,
    demo.demo_command,
    imports.import_command,
    log.log_group,
    partners.partner,
    staff.staff,
    monitor.monitor_command,
    privacy.erase_command,
    privacy.retention_group,
    datakey.data_key_group,
    privacy.privacy_group,
):
    main.add_command(command)
