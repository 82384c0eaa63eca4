"""What the patient search box matches, as indexed SQL that both databases answer alike.

Every patient has rows in ``patient_name_token`` (kept in step by PatientService in
the same transaction as the patient): each folded word of the names, for "starts
with"; each name with its spaces and punctuation taken out ("O'Brien" -> "obrien");
every tail of those joined names, for "contains" ("mith" is the start of the tail
"mith" of "smith"); and every tail of the phone number's digits. So each kind of
query is a range on one B-tree index (``token >= 'mith' AND token < 'mith\\U0010ffff'``),
on SQLite and PostgreSQL alike: an index of tails answers a substring the way a
trigram index does, without a second code path per database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from math import isqrt
from typing import Any

from sqlalchemy import CompoundSelect, Select, and_, exists, func, or_, select, union_all
from sqlalchemy.orm import Session

from sijdesk.models import Patient, PatientNameToken
from sijdesk.services.patient_csv import normal_date
from sijdesk.services.text import digits, prefix_upper_bound, storable, words
from sijdesk.validation import parse_date

# Markers keep the kinds of token apart, so "a" (the start of a name) does not
# also match every name with an "a" inside.
NAME_PART = "\x01s"
PHONE_PART = "\x01p"
# Shorter pieces are too common inside names and numbers to be worth a match.
SHORTEST_PART = 3

# The list's sort orders, each ending in a unique column so pages never overlap;
# each is an index, so a page is read in order.
SORT_COLUMNS = {
    "name": (Patient.family_key, Patient.given_key, Patient.id),
    "date_of_birth": (Patient.date_of_birth, Patient.family_key, Patient.id),
    "record_number": (Patient.record_number,),
}
SORT_KEYS = tuple(SORT_COLUMNS)
_PHONE_LIKE = re.compile(r"^[\d\s+()\-]*\d[\d\s+()\-]*$")


def _tails(text: str, start: int) -> set[str]:
    return {text[i:] for i in range(start, len(text) - SHORTEST_PART + 1)}


def search_tokens(given_names: str, family_name: str, phone: str = "") -> set[str]:
    """The indexed tokens of a patient (see the module's docstring)."""
    tokens: set[str] = set()
    for name in (given_names, family_name):
        parts = words(name)
        joined = "".join(parts)
        if joined:
            tokens.update(parts)
            tokens.add(joined)
            tokens.update(NAME_PART + tail for tail in _tails(joined, 1))
    tokens.update(PHONE_PART + tail for tail in _tails(digits(phone), 0))
    return tokens


def _token_range(prefix: str):
    return and_(
        PatientNameToken.token >= prefix,
        PatientNameToken.token < prefix_upper_bound(prefix),
    )


def _token_ranges(prefixes: tuple[str, ...]):
    return or_(*(_token_range(prefix) for prefix in prefixes))


def _token_ids(prefixes: tuple[str, ...]) -> Select | CompoundSelect:
    """The ids of the patients with a token starting with any of ``prefixes``: one
    range of the index each, one after the other. Not "range OR range": SQLite
    answers that OR by collecting each token's whole key into a temporary table to
    drop repeats (3 ms for "mac" at 100,000 patients, against 0.1 ms for the two
    ranges read in turn); "id IN (...)" drops the repeats anyway."""
    ranges = [
        select(PatientNameToken.patient_id).where(_token_range(prefix)) for prefix in prefixes
    ]
    return ranges[0] if len(ranges) == 1 else union_all(*ranges)


@dataclass(frozen=True)
class WordMatch:
    """What one word of the query matches: tokens starting with any of ``prefixes``,
    or any of ``columns`` (record number, year of birth)."""

    prefixes: tuple[str, ...]
    columns: tuple[Any, ...] = ()

    def condition(self, *, walk: bool):
        """``walk=False``: the matching ids are collected from the token index first
        (fast when few match). ``walk=True``: each patient met while walking the list
        in its order is checked (fast when many match and only a page is wanted)."""
        if not self.prefixes:
            return or_(*self.columns)
        if walk:
            tokens = exists().where(
                PatientNameToken.patient_id == Patient.id, _token_ranges(self.prefixes)
            )
            return or_(tokens, *self.columns) if self.columns else tokens
        by_token = _token_ids(self.prefixes)
        if not self.columns:
            return Patient.id.in_(_collected(by_token))
        # One list of ids from each index, not "in the tokens OR a column":
        # PostgreSQL cannot answer such an OR from indexes and reads every
        # patient (a record number took 48 ms at 100,000 patients).
        by_column = select(Patient.id).where(or_(*self.columns)).correlate(None)
        return Patient.id.in_(_collected(union_all(by_token, by_column)))

    def probe(self, limit: int):
        """How many tokens match, counted no further than ``limit`` (cheap index ranges)."""
        inner = _token_ids(self.prefixes).limit(limit)
        return select(func.count()).select_from(inner.subquery())


@dataclass(frozen=True)
class PatientQuery:
    """The search box's text, understood: a date of birth, or words that must all match.

    A date (2026-11-02, 02/11/2026 or 02.11.2026, day first) matches the date of
    birth. A word of digits matches a record number (leading zeros optional),
    three or more anywhere in the phone number, four starting with 1 or 2 a
    year of birth too. Any other word matches the start of one of the patient's
    names or, from three letters, anywhere inside one; accents, case and
    punctuation do not count ("obrien" and "o brien" find O'Brien).
    """

    day: date | None
    words: tuple[WordMatch, ...]

    @classmethod
    def parse(cls, text: str) -> PatientQuery | None:
        """None for a query that matches everyone (empty, or only punctuation)."""
        text = storable(text).strip()
        if not text:
            return None
        day = parse_date(normal_date(text))
        if day is not None:
            return cls(day, ())
        matches = []
        # A number typed with spaces ("7946 0958") is one number, not two words.
        parts = [digits(text)] if _PHONE_LIKE.match(text) else text.split()
        for word in parts:
            number = digits(word)
            if number and len(number) == len(word.strip("+()-")):
                matches.append(_number_match(number))
                continue
            for token in words(word):
                if len(token) >= SHORTEST_PART:
                    matches.append(WordMatch((token, NAME_PART + token)))
                else:
                    matches.append(WordMatch((token,)))
        return cls(None, tuple(matches)) if matches else None

    def is_common(self, session) -> bool:
        """Whether even the rarest word matches so many patients ("a", "son") that
        walking the list in its order, checking each patient, finds a page sooner
        than collecting every match from the index and sorting them.

        Collecting costs about one step per match, walking about five per patient
        passed over, so the turn comes at about sqrt(2,500 x patients) matches:
        15,800 of 100,000 patients. Each word's tokens are counted only that far
        (a cheap index range each)."""
        if not any(word.prefixes for word in self.words):
            return False
        patients = session.scalar(select(func.max(Patient.id))) or 0
        common = max(1000, isqrt(2500 * patients))
        return all(
            (session.scalar(word.probe(common)) or 0) >= common
            for word in self.words
            if word.prefixes
        )

    def condition(self, *, walk: bool = False):
        """SQL for the query (``walk``: see WordMatch.condition and is_common)."""
        if self.day is not None:
            return Patient.date_of_birth == self.day
        return and_(*(word.condition(walk=walk) for word in self.words))


def _collected(ids: Select | CompoundSelect) -> Select | CompoundSelect:
    """``ids`` as a list the database must collect before it joins them to patients.

    PostgreSQL may otherwise turn "id IN (tokens in a range)" into a walk of the
    list in its order, looking up each patient's tokens, when its statistics (a
    random sample, new at each ANALYZE) guess that a page fills early. But the
    total shown beside the page needs every match, so the walk read all 100,000
    patients: 250-300 ms instead of 6-10 for "mac", after one ANALYZE in three.
    OFFSET 0 is PostgreSQL's usual fence against that; SQLite's plan is the same
    with it or without (it already collects the list first)."""
    return ids.offset(0)


def _number_match(number: str) -> WordMatch:
    columns: list[Any] = [
        Patient.record_number == number.zfill(6),
        and_(
            Patient.record_number >= number,
            Patient.record_number < prefix_upper_bound(number),
        ),
    ]
    if len(number) == 4 and number[0] in "12":
        # A year alone ("1972") finds everyone born in it (the date index).
        year = int(number)
        columns.append(Patient.date_of_birth.between(date(year, 1, 1), date(year, 12, 31)))
    prefixes = (PHONE_PART + number,) if len(number) >= SHORTEST_PART else ()
    return WordMatch(prefixes, tuple(columns))


def matching(session: Session, query: str, *, include_archived: bool = False) -> Select:
    """The SELECT of the patients matching ``query`` (``session`` answers the probes that
    choose how); page_of and count_of shape it for the list."""
    return matching_and_plan(session, query, include_archived=include_archived)[0]


def matching_and_plan(
    session: Session, query: str, *, include_archived: bool = False
) -> tuple[Select, bool]:
    """matching's SELECT, and whether it walks the list (PatientQuery.is_common) rather
    than collecting every match first."""
    stmt = select(Patient)
    walk = False
    understood = PatientQuery.parse(query)
    if understood is not None:
        walk = understood.is_common(session)
        stmt = stmt.where(understood.condition(walk=walk))
    if not include_archived:
        stmt = stmt.where(Patient.archived.is_(False))
    return stmt, walk


def page_of(
    matches: Select,
    *,
    sort: str = "name",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> Select:
    """One page of ``matches`` in the list's order."""
    columns = SORT_COLUMNS[sort]
    order = [c.desc() for c in columns] if descending else list(columns)
    return matches.order_by(*order).offset(offset).limit(limit)


def ids_with_total(matches: Select) -> Select:
    """``matches`` as (patient id, how many match): page it with page_of, then read
    the rows of just that page. Sorting every match's id and sort keys, not its
    whole row, is what makes a collected search cheap (1,755 matches: 9.6 -> 6 ms)."""
    return matches.with_only_columns(Patient.id, func.count().over())


def count_of(matches: Select, *, up_to: int | None = None) -> Select:
    """The SELECT counting ``matches``, no further than ``up_to``."""
    inner = matches.with_only_columns(Patient.id).limit(up_to)
    return select(func.count()).select_from(inner.subquery())


def page_statement(session: Session, query: str, *, include_archived: bool = False, **page):
    """One page of the patients matching ``query`` (see page_of for ``page``)."""
    return page_of(matching(session, query, include_archived=include_archived), **page)


def count_statement(
    session: Session, query: str, *, include_archived: bool = False, up_to: int | None = None
) -> Select:
    return count_of(matching(session, query, include_archived=include_archived), up_to=up_to)
