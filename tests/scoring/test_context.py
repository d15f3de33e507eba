"""The advice follows the project's context: knowledge applies only where it bears, unknown is not none,
committed hardware weighs like a required target, and the horizon sets how much the future counts."""

from __future__ import annotations

from advisor.knowledge.load import KnowledgeBase
from advisor.rules.model import Rule
from advisor.scoring.evaluate import evaluate
from advisor.scoring.ratings import SD_KNOWN
from advisor.scoring.result import Recommendation
from advisor.spec.load import load_spec, parse_spec
from tests.conftest import EXAMPLES

# Hardware the on-prem NVIDIA lab does not have (issue 10: these decided its hardware rating).
FOREIGN_HARDWARE = {
    "pytorch-mps-backend",
    "rocm-pytorch-upstream",
    "pytorch-intel-xpu",
    "tf-windows-native-gpu-ended",
    "tf-apple-gpu-metal-fragile",
    "tpu-tf-tpustrategy",
}


def _report(text: str, kb: KnowledgeBase, rules: tuple[Rule, ...]) -> Recommendation:
    return evaluate(parse_spec(text, kb), kb, rules)


def _terms(report: Recommendation, criterion: str | None = None) -> set[str]:
    return {
        t.source
        for c in report.criteria
        if criterion is None or c.criterion == criterion
        for r in c.ratings.values()
        for t in r.terms
    }


def _criterion(report: Recommendation, criterion: str):  # type: ignore[no-untyped-def]
    return next(c for c in report.criteria if c.criterion == criterion)


def _group(report: Recommendation, group: str):  # type: ignore[no-untyped-def]
    return next(g for g in report.groups if g.group == group)


def test_nvidia_lab_gets_no_hardware_terms_from_hardware_it_does_not_use(
    kb: KnowledgeBase, rules: tuple[Rule, ...]
) -> None:
    report = evaluate(load_spec(EXAMPLES / "llm-finetuning-lab.yaml", kb), kb, rules)
    assert _terms(report, "hardware_support") & FOREIGN_HARDWARE == set()
    assert FOREIGN_HARDWARE & set(report.not_applicable), "left-out entries are listed in the report"


def test_cnn_startup_without_hugging_face_gets_no_hugging_face_term(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    report = evaluate(load_spec(EXAMPLES / "vision-mobile-startup.yaml", kb), kb, rules)
    hf = {e.id for e in kb.entries.values() if "hugging face" in (e.summary + e.why).lower() and e.effects}
    assert hf, "the knowledge base knows Hugging Face facts"
    assert _terms(report) & hf == set()


def test_unknown_experience_fires_no_beginner_rule(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    report = _report("name: research org\ntask: {domain: nlp, architecture: novel}\n", kb, rules)
    fired = {r.id for r in report.fired_rules}
    assert not fired & {"beginner-team", "team-no-experience"}, fired
    assert any(u.field.startswith("team.experience") for u in report.unknowns)


def test_unknown_codebase_size_keeps_migration_cost_weighted_and_widens_it(
    kb: KnowledgeBase, rules: tuple[Rule, ...]
) -> None:
    unknown = _report("name: estate\ntask: {domain: vision}\ncodebase: {framework: keras}\n", kb, rules)
    migration = _criterion(unknown, "migration_cost")
    assert migration.weight > 0 and migration.share > 0
    assert max(r.sd for r in migration.ratings.values()) > SD_KNOWN
    assert any(u.field.startswith("codebase.lines_of_code") for u in unknown.unknowns)
    greenfield = _report("name: new\ntask: {domain: vision}\n", kb, rules)
    assert _criterion(greenfield, "migration_cost").weight == 0


def test_tpu_commitment_weighs_hardware_support_at_the_top(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    """Committed TPUs give hardware support the top weight without raising the rest of its group."""
    tpu = _report(
        "name: tpu team\ntask: {domain: vision}\n"
        "infrastructure: {accelerators: [tpu], committed_accelerators: [tpu]}\n",
        kb,
        rules,
    )
    hardware = _criterion(tpu, "hardware_support")
    assert hardware.weight == 5 and _group(tpu, "performance").weight == 1
    performance = [c for c in tpu.criteria if c.group == "performance" and c.criterion != "hardware_support"]
    assert all(hardware.effective_weight > c.effective_weight for c in performance)


def test_prototype_horizon_lowers_the_ecosystem_share(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    base = "name: x\ntask: {domain: vision}\nteam: {experience: {pytorch: intermediate, tensorflow: intermediate}}\n"
    product = _report(base + "horizon: product\n", kb, rules)
    prototype = _report(base + "horizon: prototype\n", kb, rules)
    platform = _report(base + "horizon: platform\n", kb, rules)
    shares = [_group(r, "ecosystem").share for r in (prototype, product, platform)]
    assert shares[0] < shares[1] < shares[2], shares


def test_every_v1_example_loads_unchanged(kb: KnowledgeBase) -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        spec = load_spec(path, kb)
        assert spec.name


def test_committed_tpus_no_longer_rate_tensorflow_above_pytorch(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    """TPU7x runs JAX and PyTorch but not TensorFlow, and TorchTPU is public: TensorFlow's TPU lead is gone."""
    tpu = _report(
        "name: tpu team\ntask: {domain: vision}\n"
        "infrastructure: {accelerators: [tpu], committed_accelerators: [tpu]}\n",
        kb,
        rules,
    )
    hardware = _criterion(tpu, "hardware_support").ratings
    assert hardware["tensorflow"].value <= hardware["pytorch"].value < hardware["jax"].value
    assert "tpu7x-no-tensorflow" in _terms(tpu, "hardware_support")
    assert kb.entries["torchtpu-native-backend"].status.value == "current"


def test_a_gpu_recommender_gets_no_credit_for_a_tpu_only_layer(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    base = "name: recsys\ntask: {domain: recommender}\ninfrastructure: {accelerators: [%s]}\n"
    gpu, tpu = (_report(base % acc, kb, rules) for acc in ("nvidia_gpu", "tpu"))
    assert "keras-rs-multibackend" not in _terms(gpu, "domain_libraries")
    assert "keras-rs-multibackend" in _terms(tpu, "domain_libraries")


def test_two_browser_runtimes_count_once_and_only_for_browser_targets(
    kb: KnowledgeBase, rules: tuple[Rule, ...]
) -> None:
    """ONNX Runtime Web and LiteRT.js both take PyTorch and Keras models: alternatives, not a double credit."""
    runtimes = {"onnx-runtime-web", "litert-js-web-runtime"}
    web = _report("name: web\ntask: {domain: vision}\ndeployment: {targets: [{kind: browser}]}\n", kb, rules)
    browser = _criterion(web, "browser").ratings
    for framework in ("pytorch", "tensorflow"):
        credit = sum(t.delta for t in browser[framework].terms if t.source in runtimes)
        assert credit == kb.entries["onnx-runtime-web"].effects[framework]
    server = _report("name: api\ntask: {domain: vision}\ndeployment: {targets: [{kind: server_rest}]}\n", kb, rules)
    assert _terms(server) & (runtimes | {"st-edge-ai-core-onnx", "mediapipe-tasks-web"}) == set()


def test_litert_js_is_not_known_before_it_was_public(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    from datetime import date

    spec = parse_spec("name: web\ntask: {domain: vision}\ndeployment: {targets: [{kind: browser}]}\n", kb)
    before = evaluate(spec, kb, rules, as_of=date(2025, 6, 1), today=date(2026, 12, 7))
    assert "litert-js-web-runtime" not in _terms(before)
    assert "onnx-runtime-web" in _terms(before)
