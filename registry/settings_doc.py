"""``docs/settings.md``, generated from the settings object (``registry.config.Settings``), so the
reference cannot drift from the code: ``python -m registry.settings_doc > docs/settings.md``
(a test fails while the file differs from what this prints)."""

from __future__ import annotations

import sys
from typing import Any

from pydantic.fields import FieldInfo

from registry.config import ENV_PREFIX, Settings, env_name

_HEADER = f"""\
# Settings reference

Generated from `registry/config.py` by `python -m registry.settings_doc > docs/settings.md`;
do not edit by hand.

Every setting is an environment variable with the prefix `{ENV_PREFIX}`, read once when a
process starts. An empty variable counts as unset. A value that does not parse or is out of
range stops `serve`, `worker`, `demo` and the other commands at once with one line naming the
variable, e.g. `Error: invalid setting: KETENREGISTER_MAX_COST: Input should be greater than 0`.
Flags accept `1/true/yes/on` and `0/false/no/off`. `serve` and `worker` also refuse to start
without a data key (`KETENREGISTER_DATA_KEY` or `KETENREGISTER_DATA_KEY_FILE`; see
docs/deployment.md).

| Variable | Default | Unit | Description |
| --- | --- | --- | --- |
"""

_FOOTER = """
Besides these, the standard OpenTelemetry variables (`OTEL_EXPORTER_OTLP_ENDPOINT`,
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_SERVICE_NAME`, ...) configure span export when the
`otel` extra is installed (`registry/tracing.py`), and the container's entrypoint reads
`KETENREGISTER_HOST` and `KETENREGISTER_PORT` (`deploy/entrypoint.sh`).
"""


def _default(field: FieldInfo) -> str:
    value: Any = field.default
    if value is None:
        return "(unset)"
    if value == ():
        return "(none)"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if value == "":
        return "(empty)"
    return f"`{value}`"


def _variables(name: str, field: FieldInfo) -> str:
    if name == "database_url":
        return f"`{env_name(name)}` (or `DATABASE_URL`)"
    return f"`{env_name(name)}`"


def render() -> str:
    """The settings reference as Markdown, one table row per setting in declaration order."""
    rows = []
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra
        unit = extra.get("unit", "") if isinstance(extra, dict) else ""
        description = (field.description or "").replace("|", "\\|")
        rows.append(f"| {_variables(name, field)} | {_default(field)} | {unit} | {description} |")
    return _HEADER + "\n".join(rows) + "\n" + _FOOTER


def main() -> None:
    """Print the reference (redirect it into docs/settings.md)."""
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
