"""The printed schema in the repository is the schema the app serves."""

from __future__ import annotations

from schema.build import SDL_PATH, printed_sdl


def test_schema_graphql_is_current() -> None:
    assert SDL_PATH.read_text() == printed_sdl(), (
        "schema/schema.graphql is stale: run `.venv/bin/python -m schema.build > "
        "schema/schema.graphql` and commit it"
    )
