"""The generated address history: consistent with 1 January residence and with emigrations, and with the in-year
moves concentrated in the first year after arrival for displaced Ukrainians and refugees."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest


@pytest.fixture(scope="module")
def con(small_registers: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for table in ("addresses", "residence", "persons", "permits", "migrations"):
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{small_registers}/{table}/*.parquet')")
    return con


def test_spells_agree_with_residence_on_every_1_january(con):
    years = [y for (y,) in con.execute("SELECT DISTINCT year FROM residence ORDER BY 1").fetchall()]
    assert years == list(range(2012, 2025))
    covering = """SELECT a.pnr, y.year, a.municipality FROM addresses a
                  JOIN (SELECT DISTINCT year FROM residence) y ON a.start_date <= make_date(y.year, 1, 1)
                   AND (a.end_date IS NULL OR a.end_date >= make_date(y.year, 1, 1))"""
    [(rows, missing, extra, differ)] = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE c.pnr IS NULL), count(*) FILTER (WHERE r.pnr IS NULL),
               count(*) FILTER (WHERE c.municipality <> r.municipality)
        FROM residence r FULL JOIN ({covering}) c ON c.pnr = r.pnr AND c.year = r.year""").fetchall()
    assert rows > 500_000 and (missing, extra, differ) == (0, 0, 0)


def test_emigrants_leave_from_their_last_address(con):
    [(n, wrong, after)] = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE a.municipality IS DISTINCT FROM m.municipality),
               count(*) FILTER (WHERE a.end_date <> m.event_date - 1)
        FROM migrations m JOIN addresses a ON a.pnr = m.pnr AND a.start_date < m.event_date
         AND (a.end_date IS NULL OR a.end_date >= m.event_date - 1)
        WHERE m.direction = 'emigration'""").fetchall()
    assert n > 1000 and (wrong, after) == (0, 0)


def test_recent_arrivals_move_more_in_their_first_year(con):
    """Share with a move (a new spell) within 365 days of arriving (arrivals 2013-2023), by permit, against the share
    of persons of Danish origin aged 18+ with a move during one year (2018)."""
    arrivals = dict(con.execute("""
        SELECT pm.permit_type, avg(CASE WHEN EXISTS (SELECT 1 FROM addresses a WHERE a.pnr = p.pnr
                 AND a.start_date > p.immigration_date AND a.start_date <= p.immigration_date + 365) THEN 1 ELSE 0 END)
        FROM persons p JOIN permits pm ON pm.pnr = p.pnr
        WHERE p.immigration_date BETWEEN DATE '2013-01-01' AND DATE '2023-12-31'
          AND (p.death_date IS NULL OR p.death_date > p.immigration_date + 365)
        GROUP BY 1""").fetchall())
    [(settled,)] = con.execute("""
        SELECT avg(CASE WHEN EXISTS (SELECT 1 FROM addresses a WHERE a.pnr = r.pnr AND year(a.start_date) = 2018)
                        THEN 1 ELSE 0 END)
        FROM residence r JOIN persons p USING (pnr)
        WHERE r.year = 2018 AND p.origin_type = 'dansk' AND p.birth_date < DATE '2000-01-01'""").fetchall()
    assert 0.01 < settled < 0.08
    assert arrivals["ukraine"] > 5 * settled and arrivals["refugee"] > 4 * settled
    assert arrivals["ukraine"] > arrivals["family_refugee"] > arrivals["other"]


def test_spells_of_a_person_follow_each_other(con):
    """No overlap (validation checks it too), moves change the municipality, and every spell has a day."""
    [(same, short)] = con.execute("""
        SELECT count(*) FILTER (WHERE municipality = prev), count(*) FILTER (WHERE end_date < start_date)
        FROM (SELECT *, lag(municipality) OVER (PARTITION BY pnr ORDER BY start_date) AS prev FROM addresses)
        """).fetchall()
    assert (same, short) == (0, 0)
