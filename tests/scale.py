"""A PostgreSQL database grown to scale in SQL: copies of the demo's cases, for the tests and
the benchmark of lists at scale (``INSERT ... SELECT`` over ``generate_series``: a million cases
in a minute or two, not hours through the API)."""

from __future__ import annotations

from sqlalchemy import text

from registry.db import make_engine


def copy_cases(url: str, copies: int) -> int:
    """Add ``copies`` copies of every case, with its contact details and involvements (new ids,
    registered a minute earlier per copy), in SQL; returns how many cases there are now."""
    engine = make_engine(url)
    with engine.begin() as conn:
        columns = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'case_record' ORDER BY ordinal_position"
                )
            )
        ]
        conn.execute(
            text(
                "CREATE TEMP TABLE copy_map AS SELECT c.id AS old_id, gen_random_uuid() AS new_id, "
                "g AS n FROM case_record c, generate_series(1, :copies) g"
            ),
            {"copies": copies},
        )
        picked = ", ".join(
            "m.new_id"
            if c == "id"
            else "c.registered_at - make_interval(mins => m.n)"
            if c == "registered_at"
            else f"c.{c}"
            for c in columns
        )
        conn.execute(
            text(
                f"INSERT INTO case_record ({', '.join(columns)}) SELECT {picked} "  # noqa: S608
                "FROM case_record c JOIN copy_map m ON m.old_id = c.id"
            )
        )
        conn.execute(
            text(
                "INSERT INTO case_contact (case_id, name, address, postal_code, phone, email) "
                "SELECT m.new_id, k.name, k.address, k.postal_code, k.phone, k.email "
                "FROM case_contact k JOIN copy_map m ON m.old_id = k.case_id"
            )
        )
        conn.execute(
            text(
                "INSERT INTO involvement (id, case_id, partner_id, role, since, involved_by, "
                "released_at) SELECT gen_random_uuid(), m.new_id, i.partner_id, i.role, i.since, "
                "i.involved_by, i.released_at FROM involvement i JOIN copy_map m "
                "ON m.old_id = i.case_id"
            )
        )
        total = int(conn.execute(text("SELECT count(*) FROM case_record")).scalar_one())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return total
