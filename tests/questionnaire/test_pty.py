"""Drives the real ``init`` program through a pseudo-terminal, the way a person would answer it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from advisor import api
from advisor.knowledge.load import KnowledgeBase
from advisor.spec.load import parse_spec

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.forks  # pexpect forks: before any in-process framework test (tests/conftest.py)

# An Android CNN app with a server API for a PyTorch-intermediate team: every question the program should
# ask, in order, with the answers typed (several for one question: the first ones are invalid and must be
# re-asked, or `?` for the help). Enter ("") takes the default: unknown for an experience question.
ANSWERS: dict[str, list[str]] = {
    "name": ["Plant scanner"],
    "description": ["Offline plant identification in an Android app."],
    "horizon": ["platfrom", "platform"],
    "task.domain": ["vison", "vision"],
    "task.model_family": ["cnn"],
    "task.architecture": ["adapted"],
    "task.pretrained_sources": ["timm_torchvision"],
    "task.model_parameters": ["big", "25M"],  # training_accelerators is not asked: one GPU (no multi_gpu)
    "deployment.targets": ["android,server_rest"],
    "deployment.targets.android.required": ["yes"],
    "deployment.targets.android.latency_ms_p95": ["fast", "40"],
    "deployment.targets.android.max_model_size_mb": ["20"],
    "deployment.targets.server_rest.required": ["no"],
    "deployment.targets.server_rest.latency_ms_p95": ["200"],
    "deployment.serving": ["trtion", "triton"],
    "deployment.serving.triton.status": ["required"],
    "team.size": ["4"],
    "team.experience.pytorch": ["intermediate"],
    "team.experience.tensorflow": ["beginner"],
    "team.experience.jax": [""],
    "team.hiring": ["no"],
    "codebase.framework": ["pytorch"],
    "codebase.lines_of_code": ["many", "unknwon", "Unknown"],
    "codebase.models": ["-1", "1"],
    "codebase.custom_ops": ["0"],
    "codebase.api_generations": ["pytorch"],
    "infrastructure.clouds": ["aws"],
    "infrastructure.accelerators": ["nvidia_gpu"],
    "infrastructure.operating_systems": ["linux"],
    "infrastructure.multi_gpu": ["no"],
    "infrastructure.multi_node": ["no"],
    "infrastructure.committed_accelerators": ["?", "-"],
    "infrastructure.mlops_platforms": ["mlflow"],
    "priorities": ["mobile_edge=4"],
    "constraints.exclude_frameworks": ["-"],
    "constraints.required_capabilities": ["android"],
    "constraints.min_ratings": ["-"],
    "probe.model": [""],  # no model of the team's own: probe.framework and probe.dynamic_dims are not asked
}
PROMPT = re.compile(rb"\r\n([a-z0-9_]+(?:\.[a-z0-9_]+)*)(?: \[[^\r\n]*\])?(?: \([^\r\n]*\))?: ")
CONFIRM = re.compile(rb"Run `advisor recommend` on it now\? \[Y/n\]: ")


def _spawn(tmp_path: Path, *args: str):  # type: ignore[no-untyped-def]
    return pexpect.spawn(
        sys.executable,
        ["-m", "advisor", "init", *args],  # the real CLI command a user runs
        cwd=str(tmp_path),
        env={"TERM": "dumb", "PATH": "/usr/bin:/bin", "COLUMNS": "120", "LINES": "40"},
        timeout=30,
        dimensions=(40, 120),
    )


def test_answering_every_question_on_a_terminal_writes_a_valid_spec(tmp_path: Path, kb: KnowledgeBase) -> None:
    out = tmp_path / "plant.yaml"
    child = _spawn(tmp_path, str(out))
    remaining = {qid: list(typed) for qid, typed in ANSWERS.items()}
    asked: list[str] = []
    transcript = b""
    while True:
        index = child.expect([PROMPT, CONFIRM, pexpect.EOF])
        transcript += (child.before or b"") + (child.after if isinstance(child.after, bytes) else b"")
        if index == 1:
            child.sendline("y")
            break
        assert index == 0, transcript.decode(errors="replace")[-2000:]
        qid = child.match.group(1).decode()
        asked.append(qid)
        assert remaining.get(qid), f"unexpected or repeated question {qid}"
        child.sendline(remaining[qid].pop(0))
    child.expect(pexpect.EOF, timeout=60)
    transcript += child.before or b""
    child.close()
    text = transcript.decode(errors="replace")

    assert child.exitstatus == 0, text[-2000:]
    assert list(dict.fromkeys(asked)) == list(ANSWERS), "asked in model order, irrelevant ones skipped"
    assert not any(remaining.values()), remaining
    assert "invalid: 'vison' is not one of" in text and "did you mean 'vision'?" in text
    assert "invalid: Input should be a valid number" in text
    assert "did you mean 'platform'?" in text and "did you mean 'triton'?" in text
    assert "invalid: 'many' is neither a number (0..1000000000) nor 'unknown'" in text
    assert "did you mean 'unknown'?" in text
    assert "invalid: Input should be greater than or equal to 0, or 'unknown'" in text
    assert "bought or contracted" in text and "Unknown widens the uncertainty instead of being read as none" in text
    assert "version" not in asked, "the format version is written, never asked"
    assert "Traceback" not in text

    spec = api.validate(out)
    assert parse_spec(out.read_text(), kb) == spec
    assert (spec.task.model_family.value, spec.deployment.targets[0].kind.value) == ("cnn", "android")
    assert (spec.version, spec.horizon.value) == (2, "platform")
    assert [(s.software.value, s.status.value) for s in spec.deployment.serving] == [("triton", "required")]
    assert (spec.codebase.lines_of_code, spec.codebase.models, spec.codebase.custom_ops) == ("unknown", 1, 0)
    assert [g.value for g in spec.codebase.api_generations] == ["pytorch"]
    assert spec.team.experience.jax.value == "unknown", "an unanswered experience question is unknown, not none"
    assert [p.value for p in spec.infrastructure.mlops_platforms] == ["mlflow"]
    assert spec.infrastructure.committed_accelerators == []
    assert api.recommend(out).winner == "pytorch"


def test_ctrl_c_leaves_no_file_and_no_traceback(tmp_path: Path) -> None:
    child = _spawn(tmp_path, "spec.yaml")
    child.expect(PROMPT)
    child.sendline(b"Demo \xff\xfe")  # bytes that are not UTF-8: refused, asked again
    child.expect("not valid UTF-8")
    child.expect(PROMPT)
    child.sendline("Demo")
    child.expect(PROMPT)
    child.sendintr()
    child.expect(pexpect.EOF)
    text = (child.before or b"").decode(errors="replace")
    child.close()
    assert child.exitstatus == 130
    assert "cancelled: nothing written" in text and "Traceback" not in text
    assert list(tmp_path.iterdir()) == []
