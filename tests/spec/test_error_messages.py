"""Golden error messages: what `advisor validate` prints for the mistakes a newcomer makes (issue 12).

Each case is a spec and the exact text on the terminal, so a change of wording is a visible diff here.
A line of an expected text that ends in ``...`` is compared up to there: it is a list of knowledge-base
names, which grows with the base and is not what these tests are about.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor._validation import MAX_LISTED
from advisor.cli.commands import app

runner = CliRunner()

DOMAINS = (
    "'vision', 'nlp', 'llm_finetuning', 'diffusion', 'speech', 'tabular', 'recommender', 'rl', 'multimodal' or 'graph'"
)
FAMILIES = "'cnn', 'transformer', 'rnn', 'mlp', 'diffusion_unet', 'gnn' or 'mixed'"
KINDS = (
    "'server_rest', 'server_grpc', 'serverless', 'batch', 'android', 'ios', 'browser', "
    "'microcontroller' or 'edge_linux'"
)

CASES = {
    "enum value: did you mean": (
        "name: x\ntask:\n  domain: visoin\n",
        f"""\
error: spec.yaml:3: field 'task.domain': must be {DOMAINS} (got 'visoin'); did you mean 'vision'?
""",
    ),
    "enum value in capitals": (
        "name: x\ntask: {domain: Vision}\n",
        f"""\
error: spec.yaml:2: field 'task.domain': must be {DOMAINS} (got 'Vision'); did you mean 'vision'?
""",
    ),
    "number or 'unknown': did you mean": (
        "name: x\ntask: {domain: nlp}\ncodebase:\n  framework: pytorch\n  lines_of_code: unknwon\n",
        """\
error: spec.yaml:5: field 'codebase.lines_of_code': must be a valid integer, unable to parse string as an \
integer, or 'unknown' (got 'unknwon'); did you mean 'unknown'?
""",
    ),
    "tab at the start of a line": (
        "name: x\ntask:\n\tdomain: vision\n",
        """\
error: spec.yaml:3: invalid YAML: a tab character at column 1; YAML indents with spaces, not tabs
  hint: replace the tab with spaces
""",
    ),
    "tab after spaces": (
        "name: x\ntask:\n  domain: vision\n  \tmodel_family: cnn\n",
        """\
error: spec.yaml:4: invalid YAML: a tab character at column 3; YAML indents with spaces, not tabs
  hint: replace the tab with spaces
""",
    ),
    "every problem listed, in file order": (
        "name: x\ntask:\n  domain: visoin\n  model_family: 3\nteam:\n  size: -1\n  sizee: 3\n",
        f"""\
error: spec.yaml:7: field 'team.sizee': unknown key; did you mean 'size'? (and 3 more problems)
  hint: allowed keys here: size, experience, hiring
  also fix:
    spec.yaml:3: field 'task.domain': must be {DOMAINS} (got 'visoin'); did you mean 'vision'?
    spec.yaml:4: field 'task.model_family': must be {FAMILIES} (got 3)
    spec.yaml:6: field 'team.size': must be greater than or equal to 1 (got -1)
""",
    ),
    "a misspelt key is one problem, not also a missing field": (
        "name: x\ntask:\n  domian: vision\n",
        """\
error: spec.yaml:3: field 'task.domian': unknown key; did you mean 'domain'?
  hint: allowed keys here: domain, model_family, architecture, pretrained_sources, model_parameters
""",
    ),
    "control characters stay escaped in the list": (
        'name: x\ntask: {domain: vision}\nteam:\n  sizee: 1\n  "\\e[2J": 1\n',
        """\
error: spec.yaml:4: field 'team.sizee': unknown key; did you mean 'size'? (and 1 more problem)
  hint: allowed keys here: size, experience, hiring
  also fix:
    spec.yaml:5: field 'team.\\x1b[2J': unknown key
""",
    ),
    "unknown names: plurals and all of them": (
        "name: x\ntask: {domain: vision}\nconstraints:\n  required_capabilities: [onnx_exprt]\n"
        "  exclude_frameworks: [mxnet]\npriorities:\n  speedd: 3\n",
        """\
error: spec.yaml:7: field 'priorities.speedd': unknown criterion or group 'speedd' (and 2 more problems)
  hint: known criteria and groups: browser, community_hiring, ...
  also fix:
    spec.yaml:4: field 'constraints.required_capabilities[0]': unknown capability 'onnx_exprt'; did you mean \
'onnx_export'?
    spec.yaml:5: field 'constraints.exclude_frameworks[0]': unknown framework 'mxnet'
""",
    ),
    "one unknown capability": (
        "name: x\ntask: {domain: vision}\nconstraints:\n  required_capabilities: [teleportation]\n",
        """\
error: spec.yaml:4: field 'constraints.required_capabilities[0]': unknown capability 'teleportation'
  hint: known capabilities: ...
""",
    ),
    "empty file": (
        "# nothing yet\n",
        """\
error: spec.yaml: file is empty
  hint: expected a project spec: a mapping with at least name and task
""",
    ),
    "a list, not a mapping": (
        "- a\n- b\n",
        """\
error: spec.yaml:1: the spec must be a mapping of keys to values, not a list
  hint: expected a project spec: a mapping with at least name and task
""",
    ),
    "duplicate key: full dotted path": (
        "name: x\ntask:\n  domain: vision\n  model_family: cnn\n  domain: nlp\n",
        """\
error: spec.yaml:5: field 'task.domain': duplicate key (first defined on line 3)
""",
    ),
}


def _validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_text(text)
    result = runner.invoke(app, ["validate", "spec.yaml"])
    return result.exit_code, result.output


def _matches(line: str, expected: str) -> bool:
    return line.startswith(expected[:-3]) if expected.endswith("...") else line == expected


@pytest.mark.parametrize(("text", "expected"), list(CASES.values()), ids=list(CASES))
def test_golden_error_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str) -> None:
    code, output = _validate(tmp_path, monkeypatch, text)
    assert code == 2, output
    lines, wanted = output.splitlines(), expected.splitlines()
    assert len(lines) == len(wanted), output
    for line, want in zip(lines, wanted, strict=True):
        assert _matches(line, want), f"\n got: {line}\nwant: {want}"


def test_the_list_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fifteen bad targets: the first on the error line, nine more listed, and a count of the rest."""
    targets = "".join("    - kind: phone\n" for _ in range(15))
    code, output = _validate(
        tmp_path, monkeypatch, f"name: x\ntask: {{domain: vision}}\ndeployment:\n  targets:\n{targets}"
    )
    lines = output.splitlines()
    assert code == 2
    first = f"error: spec.yaml:5: field 'deployment.targets[0].kind': must be {KINDS} (got 'phone')"
    assert lines[0] == f"{first} (and 14 more problems)"
    assert lines[1] == "  hint: also fix:"
    listed = lines[2:-1]
    assert len(listed) == MAX_LISTED - 1
    assert [line.split(":")[1] for line in listed] == [str(n) for n in range(6, 6 + MAX_LISTED - 1)]
    assert lines[-1] == f"    ... and {15 - MAX_LISTED} more problems"
