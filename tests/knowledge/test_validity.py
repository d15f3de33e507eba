"""Knowledge in time: when each fact became true, advice as of a past date, and when entries are due for review."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.api import recommend
from advisor.knowledge.load import KnowledgeBase
from advisor.knowledge.model import SHELF_MONTHS, Status, add_months
from advisor.scoring.result import Recommendation
from tests.conftest import EXAMPLES, ROOT

PAST = dt.date(2021, 6, 1)
SPEC = EXAMPLES / "fraud-scoring-platform.yaml"


def _entry_terms(report: Recommendation) -> set[str]:
    return {
        t.source
        for c in report.criteria
        for r in c.ratings.values()
        for t in r.terms
        if ":" not in t.source  # knowledge entries, not rule: or evidence: terms
    }


def test_every_entry_says_when_it_became_true_or_that_nobody_knows(kb: KnowledgeBase) -> None:
    for entry in kb.entries.values():
        assert entry.valid_from == "unknown" or isinstance(entry.valid_from, dt.date), entry.id
        assert entry.valid_from != "unknown" or entry.known_since == min(r.as_of for r in entry.references)
        assert entry.valid_from_note, f"{entry.id}: say how valid_from was dated, or why it is unknown"
    dated = sum(e.valid_from != "unknown" for e in kb.entries.values())
    assert dated > len(kb.entries) / 2, "most facts are dated events"


def test_as_of_leaves_out_exactly_the_entries_not_yet_valid_and_lists_them(kb: KnowledgeBase) -> None:
    """Acceptance: --as-of 2021-06-01 and today differ by the entries not yet true then, which the report lists."""
    now, then = recommend(SPEC), recommend(SPEC, as_of=PAST)
    assert then.as_of == PAST and now.as_of is None and not now.not_yet_valid
    assert then.not_yet_valid, "a 2026 knowledge base has facts a 2021 decision could not use"
    for entry_id in _entry_terms(then):
        assert kb.entries[entry_id].valid_on(PAST), entry_id
    assert not set(then.not_yet_valid) & _entry_terms(then)
    dropped = _entry_terms(now) - _entry_terms(then)
    alternatives = {e.id for e in kb.entries.values() if e.alternatives}
    assert dropped - set(then.not_yet_valid) <= alternatives, "only an alternative may give way to another"
    assert set(then.not_yet_valid) & _entry_terms(now) <= dropped
    added = _entry_terms(then) - _entry_terms(now)
    assert added - set(then.then_current) <= alternatives, "a claim stale today may count as it stood then"
    assert all(kb.entries[e].status is Status.stale for e in then.then_current)


def test_the_report_says_it_is_a_replay_and_what_it_left_out() -> None:
    from advisor.report.formats import renderer

    report = recommend(SPEC, as_of=PAST)
    for fmt in ("terminal", "markdown", "html", "adr"):
        text = " ".join(renderer(fmt)(report).split())
        assert "Replayed with the knowledge valid on 2021-06-01" in text, fmt
        assert report.not_yet_valid[0] in text, fmt


def test_a_claim_stale_today_counted_as_it_stood_before_it_went_stale(kb: KnowledgeBase) -> None:
    stale = [e for e in kb.entries.values() if e.status is Status.stale and e.valid_until is not None]
    assert stale
    for entry in stale:
        assert entry.weight == 0 and entry.weight_on(entry.valid_until) == 0
        before = entry.valid_until - dt.timedelta(days=1)
        assert entry.weight_on(before) == (1.0 if entry.valid_on(before) else 0.0)


def test_a_fact_counts_nothing_before_it_became_true(kb: KnowledgeBase) -> None:
    for entry in kb.entries.values():
        assert entry.weight_on(entry.known_since - dt.timedelta(days=1)) == 0
        assert entry.weight_on(None) == entry.weight


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)), st.integers(0, 60))
def test_adding_months_lands_in_the_right_month(day: dt.date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or (later.day < day.day and (later + dt.timedelta(days=1)).day == 1)


def test_review_dates_follow_the_shelf_life(kb: KnowledgeBase) -> None:
    for entry in kb.entries.values():
        assert entry.review_by == add_months(entry.reviewed, SHELF_MONTHS[entry.shelf_life]), entry.id
    assert kb.due_for_review(dt.date(2026, 12, 7)) == [], "nothing is due on the day the base was reviewed"
    assert len(kb.due_for_review(dt.date(2031, 1, 1))) == len(kb.entries)


def test_every_report_says_how_old_its_knowledge_is() -> None:
    today = recommend(SPEC, today=dt.date(2026, 12, 7))
    later = recommend(SPEC, today=dt.date(2028, 1, 1))
    assert today.freshness is not None and today.freshness.past_review == ()
    assert later.freshness is not None and later.freshness.past_review
    cited = {c.id for c in later.references}
    assert set(later.freshness.past_review) <= cited
    assert today.freshness.oldest_review <= today.freshness.newest_review


def _advisor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False
    )


@pytest.mark.slow
def test_kb_stale_lists_what_is_due_with_its_sources() -> None:
    due = _advisor("kb", "stale", "--as-of", "2027-12-31")
    assert due.returncode == 0 and "review by" in due.stdout and "https://" in due.stdout
    assert "entries due for review on 2027-12-31" in due.stderr
    none = _advisor("kb", "stale", "--as-of", "2026-12-07")
    assert none.returncode == 0 and none.stdout == "" and "0 of" in none.stderr
    bad = _advisor("kb", "stale", "--as-of", "next week")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


@pytest.mark.slow
def test_recommend_as_of_on_the_command_line() -> None:
    replay = _advisor("recommend", str(SPEC), "--as-of", "2021-06-01", "-f", "json")
    assert replay.returncode == 0 and '"as_of": "2021-06-01"' in replay.stdout
    bad = _advisor("recommend", str(SPEC), "--as-of", "2021-13-01")
    assert bad.returncode == 2 and "not a date" in bad.stderr
