"""The recommended stack and the classic-advice comparison, on the shipped knowledge base."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.knowledge.load import KnowledgeBase
from advisor.knowledge.model import StackRole
from advisor.scoring.classic import compare_with_classic_advice, guide_conflicts
from advisor.scoring.stack import RecommendedStack, StackChoice, recommend_stack
from advisor.spec.derived import rule_facts
from advisor.spec.load import parse_spec


def _facts(kb: KnowledgeBase, yaml_text: str) -> dict:
    return rule_facts(parse_spec(yaml_text, kb))


def _stack(kb: KnowledgeBase, yaml_text: str, framework: str) -> RecommendedStack:
    return recommend_stack(kb, _facts(kb, yaml_text), framework)


def _route(stack: RecommendedStack, kind: str) -> StackChoice:
    (route,) = [r for r in stack.routes if r.target_kind == kind]
    return route


def _id(choice: StackChoice | None) -> str | None:
    return None if choice is None else choice.id


LLM = """
name: support-bot
task: {domain: llm_finetuning, pretrained_sources: [huggingface]}
deployment: {targets: [{kind: server_rest}]}
"""


def test_llm_finetuning_on_pytorch_gets_transformers_peft_and_vllm(kb: KnowledgeBase) -> None:
    stack = _stack(kb, LLM, "pytorch")
    assert stack.high_level_api is not None and stack.high_level_api.id == "pytorch-hf-transformers-peft-trl"
    assert stack.serving is not None and stack.serving.id == "pytorch-vllm"
    assert _route(stack, "server_rest").id == "pytorch-hf-checkpoint-for-vllm"
    assert "vllm-pytorch-llm-serving" in stack.cites


def test_android_on_tensorflow_is_litert(kb: KnowledgeBase) -> None:
    stack = _stack(kb, "name: app\ntask: {domain: vision}\ndeployment: {targets: [{kind: android}]}\n", "tensorflow")
    route = _route(stack, "android")
    assert route.id == "tensorflow-litert" and not route.no_route
    assert "litert-is-tflite-renamed" in route.cites


def test_android_on_pytorch_is_executorch_or_litert_torch(kb: KnowledgeBase) -> None:
    stack = _stack(kb, "name: app\ntask: {domain: vision}\ndeployment: {targets: [{kind: android}]}\n", "pytorch")
    route = _route(stack, "android")
    offered = {route.id, *(a.id for a in route.alternatives)}
    assert {"pytorch-executorch", "pytorch-litert-torch"} <= offered
    assert route.id in {"pytorch-executorch", "pytorch-litert-torch"}


def test_one_route_per_distinct_target_kind(kb: KnowledgeBase) -> None:
    spec = """
name: multi
task: {domain: vision}
deployment: {targets: [{kind: android}, {kind: ios}, {kind: android, required: false}, {kind: browser}]}
"""
    stack = _stack(kb, spec, "pytorch")
    assert [r.target_kind for r in stack.routes] == ["android", "ios", "browser"]
    assert stack.serving is None  # no server-like target


def test_microcontroller_on_pytorch_gets_the_honest_executorch_route(kb: KnowledgeBase) -> None:
    spec = "name: kws\ntask: {domain: speech}\ndeployment: {targets: [{kind: microcontroller}]}\n"
    route = _route(_stack(kb, spec, "pytorch"), "microcontroller")
    assert route.id == "pytorch-executorch-arm-mcu"
    assert "executorch-cortex-m-backend-early" in route.cites
    assert "toolchain" in route.summary
    assert _route(_stack(kb, spec, "tensorflow"), "microcontroller").id == "tensorflow-litert-micro"


def test_a_target_kind_without_a_component_is_reported_as_no_route(kb: KnowledgeBase) -> None:
    without_mcu = dataclasses.replace(kb, stack=tuple(c for c in kb.stack if "microcontroller" not in c.target_kinds))
    facts = _facts(kb, "name: kws\ntask: {domain: speech}\ndeployment: {targets: [{kind: microcontroller}]}\n")
    route = _route(recommend_stack(without_mcu, facts, "pytorch"), "microcontroller")
    assert route.no_route and route.id is None and route.role is StackRole.deployment_route


def test_recommender_gets_torchrec_or_tfrs(kb: KnowledgeBase) -> None:
    spec = "name: recs\ntask: {domain: recommender}\n"
    assert [d.id for d in _stack(kb, spec, "pytorch").domain_libraries] == ["pytorch-torchrec"]
    assert [d.id for d in _stack(kb, spec, "tensorflow").domain_libraries] == [
        "tensorflow-keras-rs",
        "tensorflow-recommenders",
    ]


def test_serving_follows_targets_and_the_serving_stack_in_use(kb: KnowledgeBase) -> None:
    no_targets = _stack(kb, "name: lab\ntask: {domain: vision}\n", "pytorch")
    assert no_targets.routes == () and no_targets.serving is not None
    assert no_targets.serving.id == "pytorch-triton"
    tf = _stack(kb, "name: lab\ntask: {domain: vision}\n", "tensorflow")
    assert tf.serving is not None and tf.serving.id == "tensorflow-tf-serving"
    kserve = """
name: api
task: {domain: vision}
deployment: {targets: [{kind: server_grpc}], serving: [{software: kserve, status: required}]}
"""
    assert _id(_stack(kb, kserve, "pytorch").serving) == "pytorch-kserve"
    assert _id(_stack(kb, kserve, "tensorflow").serving) == "tensorflow-kserve"
    legacy = """
name: api
task: {domain: vision}
deployment: {targets: [{kind: server_rest}], serving: [{software: torchserve}]}
"""
    serving = _stack(kb, legacy, "pytorch").serving
    assert serving is not None and serving.id != "pytorch-torchserve-legacy"  # archived: never the choice
    assert "pytorch-torchserve-legacy" in [a.id for a in serving.alternatives]


def test_high_level_api_follows_the_team(kb: KnowledgeBase) -> None:
    keras_team = "name: t\ntask: {domain: tabular}\nteam: {experience: {tensorflow: expert, pytorch: none}}\n"
    assert _id(_stack(kb, keras_team, "pytorch").high_level_api) == "pytorch-keras3-torch-backend"
    multi_gpu = "name: t\ntask: {domain: vision}\ninfrastructure: {multi_gpu: true}\n"
    assert _id(_stack(kb, multi_gpu, "pytorch").high_level_api) == "pytorch-lightning"
    plain = "name: t\ntask: {domain: vision}\n"
    assert _id(_stack(kb, plain, "pytorch").high_level_api) == "pytorch-plain"
    assert _id(_stack(kb, plain, "tensorflow").high_level_api) == "tensorflow-keras3"
    keras2 = "name: t\ntask: {domain: tabular}\ncodebase: {framework: keras, keras_version: 2, lines_of_code: 5000}\n"
    assert _id(_stack(kb, keras2, "tensorflow").high_level_api) == "tensorflow-keras3-from-keras2"


def test_a_credit_for_keras_on_another_backend_comes_with_that_stack(kb: KnowledgeBase) -> None:
    """KerasHub weights are credited to PyTorch and JAX only as Keras 3 on their backends, so that is the
    high-level API recommended for them: the stack keeps the backbone the spec names."""
    kerashub = "name: t\ntask: {domain: vision, pretrained_sources: [keras_hub]}\nteam: {experience: {pytorch: none}}\n"
    entry = kb.entries["kerashub-pretrained-presets"]
    assert entry.effects.get("pytorch") and entry.effects.get("jax")
    assert _id(_stack(kb, kerashub, "pytorch").high_level_api) == "pytorch-keras3-torch-backend"
    assert _id(_stack(kb, kerashub, "jax").high_level_api) == "jax-keras3-jax-backend"


def test_every_choice_cites_known_entries(kb: KnowledgeBase) -> None:
    spec = """
name: all-targets
task: {domain: multimodal, pretrained_sources: [huggingface, keras_hub]}
deployment:
  targets: [{kind: server_rest}, {kind: batch}, {kind: android}, {kind: ios}, {kind: browser},
            {kind: microcontroller}, {kind: edge_linux}, {kind: serverless}, {kind: server_grpc}]
"""
    for framework in kb.frameworks:
        stack = _stack(kb, spec, framework)
        # JAX has no documented route to a microcontroller (jax-no-microcontroller-route): "no route" is the truth.
        expected_gaps = {"microcontroller"} if framework == "jax" else set()
        assert {r.target_kind for r in stack.routes if r.no_route} == expected_gaps, framework
        assert stack.cites and all(c in kb.entries for c in stack.cites)


def _personas(kb: KnowledgeBase, yaml_text: str, pick: str = "pytorch") -> dict[str, bool]:
    return {c.id: c.agrees for c in compare_with_classic_advice(kb, _facts(kb, yaml_text), pick)}


@pytest.mark.parametrize(
    "experience",
    [
        "{pytorch: beginner, tensorflow: none}",
        "{pytorch: beginner, tensorflow: beginner}",
        "{pytorch: none, tensorflow: none}",
    ],
)
def test_beginner_persona_for_stated_beginners(kb: KnowledgeBase, experience: str) -> None:
    assert "beginner-keras" in _personas(kb, f"name: t\ntask: {{domain: vision}}\nteam: {{experience: {experience}}}\n")


@pytest.mark.parametrize(
    "team",
    [
        "",
        "team: {size: 4}\n",
        "team: {experience: {pytorch: unknown, tensorflow: unknown}}\n",
        "team: {experience: {tensorflow: beginner}}\n",  # PyTorch level unknown: not stated as beginners
        "team: {experience: {pytorch: expert, tensorflow: beginner}}\n",
        "team: {experience: {pytorch: beginner, tensorflow: none, jax: expert}}\n",
    ],
)
def test_beginner_persona_never_for_unknown_or_experienced_teams(kb: KnowledgeBase, team: str) -> None:
    assert "beginner-keras" not in _personas(kb, f"name: t\ntask: {{domain: vision}}\n{team}")


def test_a_pick_against_the_guide_is_detected_with_what_overturned_it(kb: KnowledgeBase) -> None:
    spec = "name: t\ntask: {domain: vision}\nteam: {experience: {pytorch: beginner, tensorflow: beginner}}\n"
    facts = _facts(kb, spec)
    against = compare_with_classic_advice(kb, facts, "pytorch")
    (beginner,) = [c for c in against if c.id == "beginner-keras"]
    assert beginner.guide_says == "tensorflow" and not beginner.agrees
    assert beginner.overturned_by and all(e in kb.entries for e in beginner.overturned_by)
    assert beginner.sources == ("seed:003_35e75c1995a3b4ed.txt", "seed:000_932ed41388582b2b.txt")
    assert guide_conflicts(against)
    assert not guide_conflicts(compare_with_classic_advice(kb, facts, "tensorflow"))


def test_personas_that_still_hold_have_nothing_overturning_them(kb: KnowledgeBase) -> None:
    spec = "name: t\ntask: {domain: llm_finetuning, architecture: novel, pretrained_sources: [huggingface]}\n"
    comparisons = compare_with_classic_advice(kb, _facts(kb, spec), "pytorch")
    assert {c.id for c in comparisons} >= {"researcher-pytorch", "generative-ai-pytorch", "huggingface-models-pytorch"}
    assert all(c.agrees and not c.overturned_by for c in comparisons)
    assert not guide_conflicts(comparisons)
    assert not guide_conflicts(())


def test_classic_advice_covers_the_seed_personas(kb: KnowledgeBase) -> None:
    ids = {a.id for a in kb.classic_advice}
    assert {"beginner-keras", "researcher-pytorch", "production-tensorflow", "mobile-edge-tflite"} <= ids
    assert {"browser-tfjs", "knows-pytorch", "knows-tensorflow"} <= ids


def test_stack_routes_show_the_probes_deployment_checks() -> None:
    """Where probes converted a model for a target, the stack's route says what was measured."""
    from advisor.api import recommend
    from advisor.report._text import stack_rows
    from tests.conftest import EXAMPLES
    from tests.probing import synthetic

    check = synthetic.passing_check("mobile", "torch.export -> ExecuTorch .pte (XNNPACK)", tolerance="fp32 tolerance")
    run = synthetic.with_deploy_checks(synthetic.run(), {"pytorch": [check]})
    report = recommend(EXAMPLES / "vision-mobile-startup.yaml", evidence=run, draws=200)
    torch_stack = next(s for s in report.stacks if s.framework == "pytorch")
    android = next(row for row in stack_rows(report, torch_stack) if row[0] == "Route to android")
    assert "Measured here: torch.export -> ExecuTorch .pte (XNNPACK) on cnn: ok" in android[2]
    plain = recommend(EXAMPLES / "vision-mobile-startup.yaml", draws=200)
    stack = next(s for s in plain.stacks if s.framework == "pytorch")
    assert not any("Measured here" in row[2] for row in stack_rows(plain, stack))
