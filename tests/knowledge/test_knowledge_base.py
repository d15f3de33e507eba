"""The shipped knowledge base: every entry cited and dated, every seed weighed, key facts right."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from advisor.knowledge.load import KnowledgeBase
from advisor.knowledge.model import Status, Support
from advisor.scoring.ratings import documentary_ratings
from tests.conftest import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
SEED_FILES = sorted(p.name for p in SEEDS.glob("*.txt")) or [
    "000_932ed41388582b2b.txt",
    "001_36e6ca2a42172dda.txt",
    "002_86d98184210d638e.txt",
    "003_35e75c1995a3b4ed.txt",
    "004_47c9ad4ea1c47cec.txt",
]


def test_every_entry_has_a_dated_reference(kb: KnowledgeBase) -> None:
    for entry in kb.entries.values():
        assert entry.references, entry.id
        assert all(ref.as_of is not None for ref in entry.references), entry.id


def test_seed_references_name_real_seed_files(kb: KnowledgeBase) -> None:
    cited = {
        r.source.removeprefix("seed:")
        for e in kb.entries.values()
        for r in e.references
        if r.source.startswith("seed:")
    }
    assert cited <= set(SEED_FILES)


@pytest.mark.parametrize("seed", SEED_FILES)
def test_every_seed_is_weighed_claim_by_claim(kb: KnowledgeBase, seed: str) -> None:
    claims = [c for c in kb.seed_claims if c.seed == seed]
    assert len(claims) >= 5, f"{seed}: only {len(claims)} claims recorded in knowledge_base/seed_claims"
    for claim in claims:
        statuses = {kb.entries[e].status for e in claim.entries}
        if claim.verdict.value == "stale":
            assert Status.stale in statuses, f"stale claim without a stale entry: {claim.claim}"


def test_stale_entries_point_to_current_knowledge(kb: KnowledgeBase) -> None:
    for entry in kb.entries.values():
        if entry.status is Status.stale:
            assert any(kb.entries[s].status is not Status.stale for s in entry.superseded_by), entry.id


def test_every_criterion_has_knowledge(kb: KnowledgeBase) -> None:
    covered = Counter(e.criterion for e in kb.entries.values() if e.status is not Status.stale)
    assert [c for c in kb.criteria if covered[c] == 0] == []


def test_ratings_stay_on_the_scale(kb: KnowledgeBase) -> None:
    for (criterion, framework), rating in documentary_ratings(kb).items():
        assert 1 <= rating.value <= 5, (criterion, framework)
        assert rating.terms or kb.criteria[criterion].spec_dependent or rating.value == 3


# Facts the issue says must come out right; each must be in the base, current, with a source.
MUST_KNOW = [
    ("litert", "tflite"),
    ("executorch",),
    ("torch.export", "torchscript"),
    ("torchserve",),
    ("tensorflow.js",),
    ("keras 3",),
    ("windows",),
    ("transformers",),
]


@pytest.mark.parametrize("words", MUST_KNOW, ids=["-".join(w) for w in MUST_KNOW])
def test_current_facts_are_known(kb: KnowledgeBase, words: tuple[str, ...]) -> None:
    hits = [
        e
        for e in kb.entries.values()
        if e.status is Status.current and all(w in (e.summary + " " + e.why).lower() for w in words)
    ]
    assert hits, f"no current entry mentions {words}"


def test_pytorch_mobile_and_torchserve_claims_are_stale(kb: KnowledgeBase) -> None:
    for words in (("pytorch mobile",), ("torchserve",)):
        stale = [
            e
            for e in kb.entries.values()
            if e.status is Status.stale and all(w in (e.summary + " " + e.why).lower() for w in words)
        ]
        assert stale, f"the seeds' {words} claim should be recorded as stale"


def test_windows_native_gpu_excludes_tensorflow(kb: KnowledgeBase) -> None:
    support = kb.capabilities["windows_native_gpu"].support
    assert support["tensorflow"] is Support.unsupported and support["pytorch"] is Support.supported


def test_entries_do_not_copy_seed_sentences(kb: KnowledgeBase) -> None:
    """Our own words: no run of 12 consecutive words from a seed may appear in an entry."""
    if not SEEDS.is_dir():
        pytest.skip("shared/seeds not beside the checkout")
    seed_grams = set()
    for path in SEEDS.glob("*.txt"):
        words = path.read_text(encoding="utf-8").lower().split()
        seed_grams |= {" ".join(words[i : i + 12]) for i in range(len(words) - 11)}
    copied = []
    for entry in kb.entries.values():
        words = f"{entry.summary} {entry.why}".lower().split()
        if any(" ".join(words[i : i + 12]) in seed_grams for i in range(len(words) - 11)):
            copied.append(entry.id)
    assert copied == []


def test_data_files_hold_yaml_only() -> None:
    for folder in ("rules", "knowledge_base"):
        strays = [p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix != ".yaml"]
        assert strays == [], f"{folder}/ holds data only: {strays}"


def test_loading_an_alternative_base(tmp_path: Path) -> None:
    from advisor.errors import DataError
    from advisor.knowledge.load import load_knowledge

    (tmp_path / "entries").mkdir()
    for name in ("criteria.yaml", "frameworks.yaml"):
        (tmp_path / name).write_text((ROOT / "knowledge_base" / name).read_text())
    (tmp_path / "capabilities.yaml").write_text("[]\n")
    (tmp_path / "entries" / "a.yaml").write_text(
        "entries:\n"
        "  - id: x-fact\n"
        "    summary: A fact without any date.\n"
        "    why: Checks that a missing date is caught.\n"
        "    criterion: debugging\n"
        "    status: current\n"
        "    references:\n"
        "      - source: seed:000_932ed41388582b2b.txt\n"
        "    reviewed: 2026-11-21\n"
    )
    with pytest.raises(DataError) as caught:
        load_knowledge(tmp_path)
    assert caught.value.field == "entries[0].references[0].as_of" and caught.value.line == 8
