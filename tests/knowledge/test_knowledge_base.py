"""The shipped knowledge base: every entry cited and dated, every seed weighed, key facts right."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import pytest

from advisor.knowledge.load import KnowledgeBase
from advisor.knowledge.model import Status, Support
from advisor.scoring.ratings import documentary_ratings
from tests.conftest import ROOT

# The seed articles, as knowledge_base/sources.yaml describes them (the articles are not in the repository).
SEED_FILES = sorted(
    line.split("file:", 1)[1].strip()
    for line in (ROOT / "knowledge_base" / "sources.yaml").read_text(encoding="utf-8").splitlines()
    if line.strip().startswith("- file:")
)


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
    assert cited <= set(SEED_FILES) and len(SEED_FILES) == 5


@pytest.mark.parametrize("seed", SEED_FILES)
def test_every_seed_is_weighed_claim_by_claim(kb: KnowledgeBase, seed: str) -> None:
    claims = [c for c in kb.seed_claims if c.seed == seed]
    assert len(claims) >= 5, f"{seed}: only {len(claims)} claims recorded in knowledge_base/seed_claims"
    for claim in claims:
        statuses = {kb.entries[e].status for e in claim.entries}
        if claim.verdict.value == "stale":
            assert Status.stale in statuses, f"stale claim without a stale entry: {claim.claim}"


# Words that carry no claim of their own ("both frameworks can ..."); left out when comparing paraphrases.
_STOPWORDS = frozenset(
    "a an and are as at be both by can either for from in into is it its may of on or than that the their this to "  # noqa: SIM905
    "with".split()
)


def _claim_words(text: str) -> frozenset[str]:
    """A claim's content words, lower-cased and roughly singular, so paraphrases of one claim compare equal."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words if w not in _STOPWORDS)


def test_each_seed_claim_is_recorded_once(kb: KnowledgeBase) -> None:
    """One claim, one record across both ledgers: two records of one claim can (and did) disagree on the verdict."""
    by_seed = defaultdict(list)
    for claim in kb.seed_claims:
        by_seed[claim.seed].append(claim)
    twins = []
    for seed, claims in by_seed.items():
        for a, b in combinations(claims, 2):
            words_a, words_b = _claim_words(a.claim), _claim_words(b.claim)
            if len(words_a & words_b) / len(words_a | words_b) >= 0.6:
                twins.append(f"{seed}: '{a.claim}' ({a.verdict.value}) / '{b.claim}' ({b.verdict.value})")
    assert twins == []


# Claims that were recorded in both ledgers, with different verdicts (knowledge-base review 2026-11, section 4,
# plus seed 002's languages claim and seed 004's ONNX claim found when merging): each must now have one record.
RECORDED_TWICE = [
    ("000_932ed41388582b2b.txt", ("install",)),
    ("000_932ed41388582b2b.txt", ("prototype", "production")),
    ("000_932ed41388582b2b.txt", ("onnx", "custom ops")),
    ("003_35e75c1995a3b4ed.txt", ("onnx",)),
    ("002_86d98184210d638e.txt", ("javascript",)),
    ("004_47c9ad4ea1c47cec.txt", ("onnx",)),
]


@pytest.mark.parametrize(("seed", "words"), RECORDED_TWICE, ids=[f"{s[:3]}-{'-'.join(w)}" for s, w in RECORDED_TWICE])
def test_claims_once_recorded_twice_are_merged(kb: KnowledgeBase, seed: str, words: tuple[str, ...]) -> None:
    records = [c for c in kb.seed_claims if c.seed == seed and all(w in c.claim.lower() for w in words)]
    assert len(records) == 1, [(c.claim, c.verdict.value) for c in records]


def test_choose_tensorflow_for_mobile_no_longer_follows(kb: KnowledgeBase) -> None:
    """Seed 004's advice rests on TF Lite alone; litert-torch and ExecuTorch now give PyTorch the same targets."""
    (claim,) = [c for c in kb.seed_claims if c.seed.startswith("004_") and "iot" in c.claim.lower()]
    assert claim.verdict.value == "contested"
    assert {"litert-torch-converter", "executorch-ga"} <= set(claim.entries)


# Strengths of Keras 3 itself, which runs on PyTorch and JAX as well as on TensorFlow: they must not separate them.
KERAS_BACKEND_NEUTRAL = [
    "keras-high-level-api-beginner-friendly",
    "kerashub-pretrained-presets",
    "keras-tensorboard-callback",
    "keras3-custom-train-step-and-ops",
    "keras3-active-development",
    "keras-export-multi-format",
]


@pytest.mark.parametrize("entry_id", KERAS_BACKEND_NEUTRAL)
def test_keras_strengths_count_for_every_backend(kb: KnowledgeBase, entry_id: str) -> None:
    entry = kb.entries[entry_id]
    assert entry.alternatives is not None, f"{entry_id}: a Keras credit must sit in an alternatives set"
    values = {entry.effects.get(fw) for fw in kb.frameworks}
    assert len(values) == 1 and values != {None} and values != {0}, entry.effects


def test_every_criterion_has_jax_knowledge(kb: KnowledgeBase) -> None:
    """JAX is a full candidate: each criterion has a current or contested entry that rates or describes it."""
    covered = {
        e.criterion
        for e in kb.entries.values()
        if e.status is not Status.stale
        and (e.effects.get("jax") or "jax" in e.id or "jax" in (e.summary + " " + e.why).lower())
    }
    assert [c for c in kb.criteria if c not in covered] == []


def test_entries_about_one_model_source_say_when_they_apply(kb: KnowledgeBase) -> None:
    """A fact about Hugging Face, timm/torchvision, TF Hub or KerasHub weights moves only the projects that use them."""
    sources = ("hugging face", "transformers", "timm", "tf hub", "kerashub")
    unconditional = [
        e.id
        for e in kb.entries.values()
        if e.effects and e.weight > 0 and e.applies_when is None and any(w in e.summary.lower() for w in sources)
    ]
    assert unconditional == []


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
    ("flax nnx",),
    ("shard_map",),
    ("jax.export",),
    ("jax2onnx",),
    ("wsl2", "jax"),
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


# JAX capability values that decide exclusions: JAX has no native-Windows GPU, no supported Apple GPU and
# nothing to run on TorchServe; vLLM (on TPUs) and TF Serving (as SavedModels) take JAX models with caveats.
JAX_SUPPORT = {
    "windows_native_gpu": Support.unsupported,
    "apple_gpu": Support.unsupported,
    "serving_torchserve": Support.unsupported,
    "serving_vllm": Support.limited,
    "serving_tf_serving": Support.limited,
    "tpu": Support.supported,
    "nvidia_gpu": Support.supported,
}


@pytest.mark.parametrize(("capability", "expected"), JAX_SUPPORT.items())
def test_jax_capabilities(kb: KnowledgeBase, capability: str, expected: Support) -> None:
    cap = kb.capabilities[capability]
    assert cap.support["jax"] is expected
    assert "jax" in cap.description.lower() or expected is Support.unsupported, "say why for JAX"
    assert any("jax" in c for c in cap.cites) or capability == "serving_torchserve", "cite the JAX entry"


def test_nothing_copies_seed_sentences(kb: KnowledgeBase) -> None:
    """Our own words: no run of 12 consecutive words of a seed article appears in an entry, a seed claim, a
    seed's description or the classic advice (checked against fingerprints: the articles are not here)."""
    from tests.knowledge import seed_fingerprints

    prints = seed_fingerprints.load()
    assert len(prints) > 5000, "the fingerprints cover the five articles"
    texts = {e.id: f"{e.summary} {e.why}" for e in kb.entries.values()}
    texts |= {f"claim {i}": c.claim for i, c in enumerate(kb.seed_claims)}
    texts |= {f"seed {s.file}": s.covers for s in kb.seeds.values()}
    texts |= {f"advice {a.id}": " ".join(str(v) for v in a.model_dump().values()) for a in kb.classic_advice}
    copied = [name for name, text in texts.items() if any(p in prints for p in seed_fingerprints.runs(text))]
    assert copied == []


def test_the_copy_check_catches_a_copied_run() -> None:
    from tests.knowledge import seed_fingerprints

    prints = seed_fingerprints.load()
    sample = sorted(prints)[0]
    assert sample in prints and not any(p in prints for p in seed_fingerprints.runs("our own words " * 8))


def test_every_seed_citation_resolves_in_the_repository(kb: KnowledgeBase) -> None:
    """Each seed:<file> source is described in knowledge_base/sources.yaml (title, date, what it covers)."""
    cited = {r.source for e in kb.entries.values() for r in e.references if r.source.startswith("seed:")}
    assert cited and all(kb.source_title(source) for source in cited)
    assert {c.seed for c in kb.seed_claims} <= set(kb.seeds)


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
