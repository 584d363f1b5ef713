"""The Dockerfile and compose.yaml, read without Docker: they run the commands the entrypoint
script knows, as a user other than root, and wire the roles up as docs/deployment.md says."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.deploy.dockerfile import ROOT, Instruction, build_stage_copies, stages

ENTRYPOINT_SCRIPT = ROOT / "deploy" / "entrypoint.sh"
ENTRYPOINT_IN_IMAGE = "/usr/local/bin/ketenregister-entrypoint"
#: The registry's own command line, which the entrypoint runs as given (compose's log-keygen).
REGISTRY_CLI = "ketenregister"


def _entrypoint_commands() -> set[str]:
    """The subcommands the entrypoint script's top-level ``case`` names."""
    text = ENTRYPOINT_SCRIPT.read_text(encoding="utf-8")
    return set(re.findall(r"^    ([a-z][a-z-]*)\)$", text, re.MULTILINE))


def _final_stage() -> list[Instruction]:
    return stages()[-1]


def _last(keyword: str) -> Instruction:
    found = [i for i in _final_stage() if i.keyword == keyword]
    assert found, f"the image has no {keyword}"
    return found[-1]


def _compose() -> dict[str, Any]:
    document = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _image_services() -> dict[str, dict[str, Any]]:
    """The services that run the image the Dockerfile builds."""
    services: dict[str, dict[str, Any]] = _compose()["services"]
    return {name: s for name, s in services.items() if s.get("build") == "."}


def test_the_entrypoint_script_has_the_roles_and_is_executable() -> None:
    assert {"serve", "worker", "migrate", "healthcheck"} <= _entrypoint_commands()
    assert ENTRYPOINT_SCRIPT.stat().st_mode & 0o111, "deploy/entrypoint.sh is not executable"
    assert ENTRYPOINT_SCRIPT.read_text(encoding="utf-8").startswith("#!/bin/sh\n")


def test_the_image_is_slim_python_3_11_and_installs_the_project() -> None:
    for stage in stages():
        assert stage[0].words()[0] == "python:3.11-slim"
    assert {"pyproject.toml", "README.md", "LICENSE"} <= set(build_stage_copies())
    assert {"registry", "schema", "policies", "clients"} <= set(build_stage_copies())


def test_the_image_runs_as_a_user_other_than_root() -> None:
    user = _last("USER").arguments
    name, _, group = user.partition(":")
    assert name not in {"root", "0"} and group not in {"root", "0"}, user
    # Numeric, so that an orchestrator's runAsNonRoot can check it without /etc/passwd.
    assert name.isdigit() and int(name) >= 1000, user
    # Nothing after USER switches back.
    keywords = [i.keyword for i in _final_stage()]
    assert keywords.count("USER") == 1


def test_the_image_starts_the_entrypoint_and_serves_by_default() -> None:
    copies = [i.words() for i in _final_stage() if i.keyword == "COPY"]
    assert ["--chmod=0755", "deploy/entrypoint.sh", ENTRYPOINT_IN_IMAGE] in copies
    entrypoint = _last("ENTRYPOINT").exec_form()
    assert Path(ENTRYPOINT_IN_IMAGE).name == entrypoint[0] and len(entrypoint) == 1
    assert _last("CMD").exec_form() == ["serve"]
    healthcheck = _last("HEALTHCHECK").arguments
    command = Instruction("CMD", healthcheck.partition(" CMD ")[2].strip()).exec_form()
    assert command == [entrypoint[0], "healthcheck"]
    assert "/readyz" in ENTRYPOINT_SCRIPT.read_text(encoding="utf-8")


def test_compose_runs_only_commands_the_entrypoint_knows() -> None:
    known = _entrypoint_commands()
    used: dict[str, str] = {}
    for name, service in _image_services().items():
        assert "entrypoint" not in service, f"{name} replaces the image's entrypoint"
        assert str(service.get("user", "10001")).split(":")[0] not in {"root", "0"}, name
        command = service["command"]
        assert isinstance(command, list), f"{name}: command in exec form, please"
        assert command[0] in known or command[0] == REGISTRY_CLI, f"{name}: {command}"
        used[command[0]] = name
    assert {"serve", "worker", "migrate"} <= set(used)


def test_compose_migrates_before_the_registry_and_the_worker_start() -> None:
    services = _compose()["services"]
    migrate = next(n for n, s in _image_services().items() if s["command"] == ["migrate"])
    assert services[migrate]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name, service in _image_services().items():
        if service["command"][0] in {"serve", "worker"}:
            condition = service["depends_on"][migrate]["condition"]
            assert condition == "service_completed_successfully", name
        if service["command"][0] in {"serve", "worker", "migrate"}:
            url = service["environment"]["KETENREGISTER_DATABASE_URL"]
            assert url.startswith("postgresql://ketenregister:${POSTGRES_PASSWORD"), name


def test_compose_keeps_the_log_key_on_a_volume_and_serves_on_loopback_only() -> None:
    compose = _compose()
    registry = next(s for s in _image_services().values() if s["command"] == ["serve"])
    key_file = Path(registry["environment"]["KETENREGISTER_LOG_KEY_FILE"])
    volume, mount, mode = registry["volumes"][0].split(":")
    assert (Path(mount), mode) == (key_file.parent, "ro")
    assert volume in compose["volumes"]
    assert registry["ports"] == ["127.0.0.1:8000:8000"]
    keygen = next(s for s in _image_services().values() if s["command"][0] == REGISTRY_CLI)
    assert keygen["command"][:3] == [REGISTRY_CLI, "log", "keygen"]
    assert keygen["command"][-1] == str(key_file)
    assert keygen["volumes"] == [f"{volume}:{mount}"]
    assert keygen["profiles"] == ["setup"], "`up` must not make a new log key"


def test_compose_makes_the_data_key_once_and_gives_it_to_every_role_read_only() -> None:
    compose = _compose()
    services = _image_services()
    keygen = services["data-keygen"]
    assert keygen["command"] == ["data-keygen"]
    assert keygen["command"][0] in _entrypoint_commands()
    assert keygen["profiles"] == ["setup"], "`up` must not make a new data key"
    key_file = Path(keygen["environment"]["KETENREGISTER_DATA_KEY_FILE"])
    volume, mount = keygen["volumes"][0].split(":")
    assert Path(mount) == key_file.parent
    assert volume in compose["volumes"]
    for role in ("migrate", "serve", "worker"):
        service = next(s for s in services.values() if s["command"] == [role])
        assert Path(service["environment"]["KETENREGISTER_DATA_KEY_FILE"]) == key_file, role
        assert f"{volume}:{mount}:ro" in service["volumes"], role
    # The image makes the mount point, owned by its user, so a fresh volume is writable.
    runs = " ".join(i.arguments for i in _final_stage() if i.keyword == "RUN")
    assert str(key_file.parent) in runs
