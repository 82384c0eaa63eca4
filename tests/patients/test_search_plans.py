"""The search box reads through indexes: no query plan walks a whole table.

Timings belong to benchmarks/; this holds the shape that keeps search fast on
100,000 patients, on SQLite and on PostgreSQL: each kind of query is answered by
a range on an index, never by reading every patient or every token.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from sijdesk.services.patient_search import (
    PatientQuery,
    count_statement,
    ids_with_total,
    matching,
    page_of,
    page_statement,
)
from tests.window_fixtures import register

QUERIES = (
    "smi",  # the start of a name
    "mith",  # inside a name
    "a",  # one letter
    "o'b",  # two one-letter words
    "obrien",  # a name without its punctuation
    "zoe luk",  # parts of two names
    "000123",  # a record number
    "12",  # the start of a record number
    "1972-03-14",  # a date of birth
    "14/03/1972",
    "1972",  # a year of birth
    "7946 0958",  # digits of a phone number
)


TABLES = r"(patient|patient_name_token|ix_patient\w*|sqlite_autoindex_patient\w*)\b"


def _steps(session, statement) -> list[str]:
    """The steps of the database's plan for ``statement``, one line each."""
    if session.bind.dialect.name == "sqlite":
        return _sqlite_plan(session, statement)
    sql = _literal_sql(session, statement)
    # Sequential scans priced out: one still chosen means no index could serve.
    session.execute(text("SET LOCAL enable_seqscan = off"))
    (plan,) = session.execute(text("EXPLAIN (FORMAT JSON) " + sql)).scalar_one()
    return [
        f"{node['Node Type']} on {node.get('Relation Name') or node.get('Index Name')}"
        + (" (unbounded)" if "Index" in node["Node Type"] and "Index Cond" not in node else "")
        for node in _nodes(plan["Plan"])
        if "Scan" in node["Node Type"]
    ]


def _sqlite_plan(session, statement) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN lines, the statement's values bound as the service
    binds them (SQLite's "LIMIT -1" of an OFFSET alone cannot be written in as text)."""
    compiled = statement.compile(dialect=session.bind.dialect)
    values = tuple(compiled.params[name] for name in compiled.positiontup or ())
    plan = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), values)
    return [row[-1] for row in plan]


def _literal_sql(session, statement) -> str:
    """PostgreSQL's text of the statement with its values written in."""
    return str(
        statement.compile(dialect=session.bind.dialect, compile_kwargs={"literal_binds": True})
    )


def _nodes(node):
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)


def _whole_reads(steps: list[str]) -> list[str]:
    """Steps reading every row of a table or index of patients or tokens: SQLite's
    SCAN (SEARCH is a range; the SCAN of a counted subquery is the count itself),
    PostgreSQL's Seq Scan or an index scan with no condition on the index."""
    return [
        step
        for step in steps
        if re.match(rf"SCAN {TABLES}", step)
        or re.match(rf".*(Seq Scan on {TABLES}|Scan on {TABLES}.*\(unbounded\))", step)
    ]


@pytest.fixture
def some_patients(clinic):
    register(clinic, "Zoë", "Łukasiewicz", "1972-03-14", phone="+44 20 7946 0958")
    register(clinic, "Siobhán", "O'Brien", "1980-05-01", phone="07700 900123")
    register(clinic, "John", "Smith", "1966-02-02")
    return clinic


@pytest.mark.parametrize("query", QUERIES)
def test_each_kind_of_search_reads_through_indexes(some_patients, query):
    with some_patients.db.read() as session:
        for sort in ("name", "date_of_birth", "record_number"):
            page = page_statement(session, query, sort=sort, limit=200)
            assert _whole_reads(_steps(session, page)) == [], (query, sort)
        counted = count_statement(session, query, up_to=1001)
        assert _whole_reads(_steps(session, counted)) == [], query
        # The page's ids with the total (a window function), as search_counted reads it.
        with_total = page_of(ids_with_total(matching(session, query)), limit=200)
        assert _whole_reads(_steps(session, with_total)) == [], query


def test_a_common_word_walks_the_list_in_order_checking_each_patient(some_patients):
    """For "a" in a big clinic the list is walked in name order (an index) and each
    patient checked through the token index: a page found without sorting them all."""
    query = PatientQuery.parse("son")
    assert query is not None
    with some_patients.db.read() as session:
        assert query.is_common(session) is False  # three patients: collect, do not walk
        statement = page_statement(session, "", limit=200).where(query.condition(walk=True))
        plan = _steps(session, statement)
    assert _whole_reads(plan) == []
    if some_patients.db.engine.dialect.name == "sqlite":
        assert not any("TEMP B-TREE" in line for line in plan), plan  # read in order
        assert any("patient_name_token" in line and "patient_id=?" in line for line in plan)


@pytest.mark.parametrize("query", ["000123", "1972", "7946 0958"])
def test_a_number_is_looked_up_in_each_index_and_the_ids_joined(some_patients, query):
    """A number may be a record number, a year of birth or part of a phone number.
    Its matches are one list of ids from each index (UNION ALL), not "in the phone
    tokens OR record number = …": PostgreSQL answers such an OR by reading every
    patient (48 ms at 100,000 patients; the benchmark suite's --postgresql shows it)."""
    with some_patients.db.read() as session:
        statement = matching(session, query)
        sql = str(statement.compile(dialect=session.bind.dialect))
        found = {p.record_number for p in session.scalars(statement)}
    assert "UNION ALL" in sql
    assert "OR patient.record_number" not in sql.split("UNION ALL", maxsplit=1)[0]
    expected = {"000123": set(), "1972": {"000001"}, "7946 0958": {"000001"}}
    assert found == expected[query]


@pytest.mark.parametrize("query", ["smi", "7946 0958"])
def test_collected_matches_are_never_looked_up_patient_by_patient(some_patients, query):
    """When few patients match, their ids are collected from the token index first.
    PostgreSQL's planner, when its sampled statistics guessed a page would fill early,
    walked the list in name order looking up each patient's tokens instead; the total
    beside the page needs every match, so that read every patient (250-300 ms for "mac"
    at 100,000 patients, after one ANALYZE in three). Here its other choices are
    priced out, which pushes the planner to that walk: the tokens must still be read
    by their range only."""
    with some_patients.db.read() as session:
        statement = page_of(ids_with_total(matching(session, query)), limit=200)
        if session.bind.dialect.name == "sqlite":
            plan = _sqlite_plan(session, statement)
            lookups = [line for line in plan if "patient_id=?" in line]
        else:
            sql = _literal_sql(session, statement)
            for setting in (
                "enable_sort",
                "enable_hashjoin",
                "enable_mergejoin",
                "enable_seqscan",
                "enable_material",
            ):
                session.execute(text(f"SET LOCAL {setting} = off"))
            (raw,) = session.execute(text("EXPLAIN (FORMAT JSON) " + sql)).scalar_one()
            plan = list(_nodes(raw["Plan"]))
            lookups = [
                node
                for node in plan
                if node.get("Relation Name") == "patient_name_token"
                and "patient_id" in node.get("Index Cond", "")
            ]
        found = [row[0] for row in session.execute(statement)]
    assert lookups == [], plan
    assert len(found) == 1


@pytest.mark.parametrize("query", ["smi", "mith", "zoe luk", "o brien"])
def test_a_words_token_ranges_are_read_one_after_the_other(some_patients, query):
    """A word of three letters or more matches two ranges of the token index (the start
    of a name, and inside one). Written as "range OR range", SQLite gathered every
    matching token's key into a temporary table to drop repeats: 3 ms of a 17 ms search
    for "mac" at 100,000 patients, where the two ranges read in turn take 0.1 ms."""
    with some_patients.db.read() as session:
        understood = PatientQuery.parse(query)
        assert understood is not None
        statements = [word.probe(1000) for word in understood.words if word.prefixes]
        statements.append(page_of(ids_with_total(matching(session, query)), limit=200))
        if session.bind.dialect.name == "sqlite":
            plans = [_sqlite_plan(session, statement) for statement in statements]
            assert not any("MULTI-INDEX OR" in line for plan in plans for line in plan), plans
        counts = [session.scalar(statement) for statement in statements[:-1]]
        found = [row[0] for row in session.execute(statements[-1])]
    assert all(count >= 1 for count in counts), counts
    assert len(found) == 1
