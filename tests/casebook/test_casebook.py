"""The casebook: every scenario in tests/casebook/*.yaml gets the outcome its evidence supports.

One generic test runs each case through the real engine (see tools/casebook.py); the meta-tests keep
the casebook honest: enough cases, unique ids, and reasoning that cites why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.knowledge.load import KnowledgeBase
from advisor.rules.model import Rule
from tools.casebook import (
    CASEBOOK_DIR,
    SEED_REF,
    Case,
    CaseError,
    load_case,
    load_cases,
    main,
    run_case,
)

CASES = load_cases()
MIN_CASES = 30


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, context: tuple[KnowledgeBase, tuple[Rule, ...]]) -> None:
    kb, rules = context
    result = run_case(case, kb, rules)
    assert result.passed, f"{case.id}: got {result.got} {result.confidence}\n" + "\n".join(result.problems)


def test_enough_cases() -> None:
    assert len(CASES) >= MIN_CASES


def test_ids_are_unique_and_name_their_files() -> None:
    assert len({c.id for c in CASES}) == len(CASES)
    assert sorted(f"{c.id}.yaml" for c in CASES) == sorted(p.name for p in CASEBOOK_DIR.glob("*.yaml"))


def _seeds_in_knowledge(kb: KnowledgeBase) -> set[str]:
    """The seed articles knowledge_base/sources.yaml describes (a case may cite only those)."""
    return set(kb.seeds)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_reasoning_cites_why(case: Case, kb: KnowledgeBase) -> None:
    """Each reasoning cites a knowledge id or a seed file, and explains every id the report must cite."""
    seeds = SEED_REF.findall(case.reasoning)
    known_seeds = _seeds_in_knowledge(kb)
    assert all(s in known_seeds for s in seeds), f"unknown seed file in {case.id}: {seeds}"
    words = {w.strip(".,;:()\"'") for w in case.reasoning.split()}
    assert seeds or words & set(kb.entries), f"{case.id}: the reasoning cites no knowledge id or seed"
    unexplained = [i for i in case.expect.must_cite if i not in case.reasoning]
    assert not unexplained, f"{case.id}: the reasoning does not say why it must cite {unexplained}"


def test_close_cases_and_forced_picks_are_both_represented() -> None:
    """The casebook covers genuine conflicts (close) and hard constraints (forced picks), not only winners."""
    assert any(c.expect.pick == "close" for c in CASES)
    assert any(c.expect.excluded for c in CASES)
    assert {c.expect.pick for c in CASES} >= {"pytorch", "tensorflow", "close"}


def _write_case(folder: Path, case_id: str, pick: str, excluded: str) -> None:
    (folder / f"{case_id}.yaml").write_text(
        f"""id: {case_id}
title: Policy decides
persona: policy constraint
spec:
  name: Forced
  task: {{domain: vision}}
  constraints: {{exclude_frameworks: [{excluded}]}}
expect:
  pick: {pick}
  excluded: [{excluded}]
reasoning: A policy exclusion is a hard constraint (seed:003_35e75c1995a3b4ed.txt), so the pick is forced.
""",
        encoding="utf-8",
    )


def test_runner_prints_the_table_and_exits_by_outcome(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write_case(tmp_path, "forced-pytorch", "pytorch", "tensorflow")
    assert main(["--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "forced-pytorch" in out and out.rstrip().endswith("casebook: 1/1 pass")

    _write_case(tmp_path, "wrong-pick", "pytorch", "pytorch, jax")
    assert main(["--dir", str(tmp_path), "--markdown"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("| Case | Persona |") and "**fail**: expected pytorch, got tensorflow" in out
    assert out.rstrip().endswith("casebook: 1/2 pass")

    assert main(["--dir", str(tmp_path), "--case", "forced-pytorch"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("casebook: 1/1 pass")


def test_pick_not_fails_a_case_whose_pick_it_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write_case(tmp_path, "forced-but-forbidden", "pytorch", "tensorflow, jax")
    case = tmp_path / "forced-but-forbidden.yaml"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("  pick: pytorch\n", "  pick: pytorch\n  pick_not: [pytorch]\n"), encoding="utf-8")
    assert main(["--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "pytorch, not pytorch" in out and "pytorch must not be the pick" in out


def test_malformed_case_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "typo.yaml"
    bad.write_text("id: typo\ntitle: t\npersona: p\nspec: {}\nexpect: {pick: pytorch, must_cite_: []}\nreasoning: x\n")
    with pytest.raises(CaseError) as err:
        load_case(bad)
    assert "typo.yaml" in str(err.value) and "expect.must_cite_" in str(err.value)

    assert main(["--dir", str(tmp_path)]) == 2
    assert "typo.yaml" in capsys.readouterr().err


def test_invalid_spec_in_a_case_names_the_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write_case(tmp_path, "bad-spec", "pytorch", "tensorflw")
    assert main(["--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "bad-spec.yaml:spec" in err and "tensorflw" in err


def test_readme_shows_the_current_casebook_table() -> None:
    """The README's casebook table is what `python -m tools.casebook --markdown` prints today."""
    import re

    from advisor.api import load_context
    from tools.casebook import load_cases, render_markdown, run_cases

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- casebook -->\n(.*?)\n<!-- /casebook -->", readme, re.S)
    assert match, "README needs the casebook block"
    kb, rules = load_context()
    assert match.group(1) == render_markdown(run_cases(load_cases(), kb, rules)), (
        "README casebook table is stale: paste `python -m tools.casebook --markdown`"
    )


def _write_close_case(folder: Path, case_id: str, expect: str) -> None:
    (folder / f"{case_id}.yaml").write_text(
        f"""id: {case_id}
title: An LLM lab that is not a close call
persona: researcher
spec:
  name: LLM lab
  task: {{domain: llm_finetuning, architecture: adapted, pretrained_sources: [huggingface]}}
  team: {{experience: {{pytorch: expert}}}}
expect:
{expect}
reasoning: Hugging Face weights for an expert PyTorch team (hf-transformers-v5-pytorch-only) are no close call.
""",
        encoding="utf-8",
    )


def test_close_means_close(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A close call fails when the pick wins more than 80 % of the draws, whatever the label says."""
    _write_close_case(tmp_path, "not-close", "  pick: close")
    assert main(["--dir", str(tmp_path)]) == 1
    assert "outside a close call (0% to 80%)" in capsys.readouterr().out


def test_a_case_may_state_its_confidence_band(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write_close_case(tmp_path, "sure", "  pick: pytorch\n  win_probability: [0.95, 1.0]")
    assert main(["--dir", str(tmp_path)]) == 0
    _write_close_case(tmp_path, "sure", "  pick: pytorch\n  win_probability: [0.2, 0.6]")
    assert main(["--dir", str(tmp_path)]) == 1
    assert "outside the expected band (20% to 60%)" in capsys.readouterr().out


def test_a_close_band_may_not_reach_above_the_close_limit(tmp_path: Path) -> None:
    _write_close_case(tmp_path, "wide", "  pick: close\n  win_probability: [0.5, 0.95]")
    with pytest.raises(CaseError) as err:
        load_case(tmp_path / "wide.yaml")
    assert "may not reach above 0.8" in str(err.value)
