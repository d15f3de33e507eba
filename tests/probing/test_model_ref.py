"""The own model's reference on the advisor side: parsed, resolved and refused without running user code."""

from __future__ import annotations

import keyword
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from advisor.cli.commands import app
from advisor.errors import AdvisorError, SpecError
from advisor.evidence.model_ref import RefError, find_module, parse_ref, resolve
from advisor.evidence.protocol import ModelSource
from advisor.knowledge.load import KnowledgeBase
from advisor.probing.child.own_model import ModelLoadError, call_factory, unpack
from advisor.probing.plan import own_model_of, settings
from advisor.spec.load import parse_spec
from tests.conftest import EXAMPLES

IDENT = st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True).filter(lambda s: not keyword.iskeyword(s))
FOLDERS = st.lists(st.from_regex(r"[a-zA-Z0-9_][a-zA-Z0-9_-]{0,8}", fullmatch=True), max_size=3)


@given(FOLDERS, IDENT, IDENT)
def test_a_file_factory_splits_at_the_last_colon(folders: list[str], stem: str, function: str) -> None:
    location = "/".join([*folders, f"{stem}.py"])
    ref = parse_ref(f"{location}:{function}")
    assert (ref.form, ref.location, ref.function) == ("file", location, function)


@given(st.lists(IDENT, min_size=1, max_size=4), IDENT)
def test_a_module_factory_is_a_dotted_name(parts: list[str], function: str) -> None:
    ref = parse_ref(f"{'.'.join(parts)}:{function}")
    assert (ref.form, ref.location, ref.function) == ("module", ".".join(parts), function)


@given(FOLDERS, IDENT, st.sampled_from([".pt2", ".keras", ".onnx", ""]))
def test_an_artifact_is_a_path(folders: list[str], stem: str, suffix: str) -> None:
    path = "/".join([*folders, stem + suffix])
    ref = parse_ref(path)
    assert (ref.form, ref.location, ref.function) == ("artifact", path, None)


@given(st.text(max_size=60))
def test_any_text_is_a_reference_or_one_clear_error(text: str) -> None:
    try:
        ref = parse_ref(text)
    except RefError as error:
        assert "\n" not in str(error) and ("expected" in str(error) or "write" in str(error))
    else:
        assert ref.text == text and ref.form in ("file", "module", "artifact")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("model.py", "no function"),
        (":make", "no file or module"),
        ("my-pkg.mod:make", "neither a .py file nor a dotted module name"),
        ("model.py:class", "'class' after ':' is not a Python function name"),
        (" model.py:make", "not a model reference"),
    ],
)
def test_malformed_references_say_what_was_expected(text: str, said: str) -> None:
    with pytest.raises(RefError, match=said):
        parse_ref(text)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_factory_file_is_resolved_from_its_imports(tmp_path: Path) -> None:
    _write(tmp_path / "models" / "net.py", "import torch\n\ndef make():\n    return None\n")
    found = resolve("models/net.py:make", tmp_path)
    assert found.source.kind == "torch_factory" and found.runtimes == ("pytorch",)
    assert found.source.path == str(tmp_path / "models" / "net.py")
    assert found.source.search_path == [str(tmp_path / "models")]
    _write(tmp_path / "k.py", "from keras import layers\n\ndef make():\n    return None\n")
    keras = resolve("k.py:make", tmp_path)
    assert keras.source.kind == "keras_factory" and keras.runtimes == ("tensorflow", "pytorch", "jax")


def test_a_file_that_imports_both_or_neither_needs_the_framework_stated(tmp_path: Path) -> None:
    _write(tmp_path / "both.py", "import torch\nimport keras\n\ndef make():\n    pass\n")
    with pytest.raises(AdvisorError, match="imports both torch and keras") as caught:
        resolve("both.py:make", tmp_path)
    assert caught.value.hint is not None and "probe.framework" in caught.value.hint
    assert resolve("both.py:make", tmp_path, framework="keras").source.kind == "keras_factory"


def test_a_missing_file_or_function_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(AdvisorError, match=r"does not exist \(expected a Python file"):
        resolve("nowhere/net.py:make", tmp_path)
    _write(tmp_path / "net.py", "import torch\n\ndef build_model():\n    pass\n")
    with pytest.raises(AdvisorError, match="has no function 'build_mode' \\(did you mean 'build_model'\\?\\)"):
        resolve("net.py:build_mode", tmp_path)
    _write(tmp_path / "broken.py", "import torch\ndef make(:\n")
    with pytest.raises(AdvisorError, match="is not valid Python \\(line 2"):
        resolve("broken.py:make", tmp_path)


def test_a_module_is_found_without_running_its_package(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    _write(tmp_path / "teampkg" / "__init__.py", f"open({str(marker)!r}, 'w').write('ran')\n")
    _write(tmp_path / "teampkg" / "nets.py", "import torch\n\ndef make():\n    pass\n")
    assert find_module("teampkg.nets", tmp_path) == tmp_path / "teampkg" / "nets.py"
    found = resolve("teampkg.nets:make", tmp_path)
    assert found.source.module == "teampkg.nets" and found.source.path is None
    assert not marker.exists()  # the parent never imports user code
    with pytest.raises(AdvisorError, match=r"no module named 'teampkg\.missing'"):
        resolve("teampkg.missing:make", tmp_path)


def test_artifacts_are_told_apart_by_their_names(tmp_path: Path) -> None:
    for name, kind, runtime in [
        ("m.pt2", "pt2", "pytorch"),
        ("m.keras", "keras_file", "tensorflow"),
        ("m.onnx", "onnx", "onnxruntime"),
    ]:
        _write(tmp_path / name, "x")
        found = resolve(name, tmp_path)
        assert found.source.kind == kind and found.runtimes[0] == runtime
    (tmp_path / "export").mkdir()
    with pytest.raises(AdvisorError, match=r"not a SavedModel \(it has no saved_model\.pb\)"):
        resolve("export", tmp_path)
    _write(tmp_path / "export" / "saved_model.pb", "x")
    assert resolve("export", tmp_path).source.kind == "saved_model"
    _write(tmp_path / "weights.h5", "x")
    with pytest.raises(AdvisorError, match=r"weights\.h5 is not a model file"):
        resolve("weights.h5", tmp_path)


def test_the_spec_names_the_model_relative_to_its_folder(kb: KnowledgeBase) -> None:
    spec = parse_spec("name: x\ntask: {domain: vision}\nprobe: {model: models/torch_small.py:make}\n", kb)
    own = own_model_of(spec, EXAMPLES / "own-model-mobile.yaml")
    assert own is not None and own.base == EXAMPLES.resolve() and own.field == "probe.model"
    chosen = settings(spec=spec, model=own, frameworks=["pytorch", "tensorflow"])
    assert chosen.model is not None and chosen.model.runtimes == ["pytorch"]
    assert chosen.model.source.path == str(EXAMPLES.resolve() / "models" / "torch_small.py")
    assert chosen.model.budget_s == 60.0 and chosen.workloads == ["mlp", "cnn", "transformer", "lstm"]
    with pytest.raises(SpecError, match=r"probe\.model"):
        parse_spec("name: x\ntask: {domain: vision}\nprobe: {model: 'model.py'}\n", kb)


def test_a_keras_model_runs_only_in_the_frameworks_not_excluded(tmp_path: Path, kb: KnowledgeBase) -> None:
    _write(tmp_path / "k.py", "import keras\n\ndef make():\n    pass\n")
    spec = parse_spec(
        "name: x\ntask: {domain: vision}\nconstraints: {exclude_frameworks: [jax]}\nprobe: {model: k.py:make}\n", kb
    )
    chosen = settings(spec=spec, model=own_model_of(spec, tmp_path / "spec.yaml"))
    assert chosen.model is not None and chosen.model.runtimes == ["tensorflow", "pytorch"]


def test_the_cli_refuses_a_missing_factory_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for ref, said in [
        ("models/none.py:make", "does not exist"),
        ("no_such_package.nets:make", "no module named 'no_such_package.nets'"),
        ("weights.txt", "does not exist"),
    ]:
        result = CliRunner().invoke(app, ["probe", "--model", ref])
        assert result.exit_code == 2, result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert lines[0].startswith(f"error: field '--model': {ref}") and said in lines[0], result.output
        assert "Traceback" not in result.output


# -- the child's side of the contract, in this process (no framework needed) --------------------


def _source(path: Path, function: str = "make") -> ModelSource:
    return ModelSource(ref=f"{path.name}:{function}", kind="torch_factory", path=str(path), function=function)


def test_a_factory_that_raises_is_one_line_naming_file_and_function(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.py", "def make():\n    raise ValueError('no weights\\nfound')\n")
    with pytest.raises(ModelLoadError) as caught:
        call_factory(_source(path))
    said = str(caught.value)
    assert said == "bad.py:make: the factory raised ValueError: no weights found (at bad.py:2)"
    _write(tmp_path / "imp.py", "import not_a_module_anywhere\n\ndef make():\n    pass\n")
    with pytest.raises(ModelLoadError, match=r"importing .*imp\.py failed: ModuleNotFoundError"):
        call_factory(_source(tmp_path / "imp.py"))
    with pytest.raises(ModelLoadError, match="has no function 'build'"):
        call_factory(_source(path, "build"))


class Net:
    """Stands in for a model class in the contract checks."""


def _is_net(value: object) -> bool:
    return isinstance(value, Net)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (Net(), "returned a model without example inputs"),
        ("weights.bin", "returned a str; expected (a Net, example_inputs)"),
        ((1, [2]), "returned a int as the model; expected a Net"),
        ({"model": Net()}, "returned a dict without inputs"),
        ({"model": Net(), "inputs": [1], "optimizer": "adam"}, "unknown key(s) optimizer"),
        ({"model": Net(), "inputs": []}, "returned no example inputs"),
        ({"model": Net(), "inputs": [1], "dynamic_dims": [-1]}, "dynamic_dims must be a list of axes"),
    ],
)
def test_what_a_factory_returns_is_checked_against_the_contract(value: object, said: str, tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError) as caught:
        unpack(value, _source(tmp_path / "f.py"), _is_net, "a Net")
    assert said in str(caught.value) and str(caught.value).startswith("f.py:make: ")


def test_the_contract_takes_a_pair_or_a_dict() -> None:
    source = ModelSource(ref="f.py:make", kind="torch_factory", path="/f.py", function="make")
    pair = unpack((Net(), "x"), source, _is_net, "a Net")
    assert pair.inputs == ("x",) and pair.loss is None and pair.dynamic_dims == [0]
    full = unpack({"model": Net(), "inputs": ("a", "b"), "loss": len, "dynamic_dims": [1, 0]}, source, _is_net, "")
    assert full.inputs == ("a", "b") and full.loss is len and full.dynamic_dims == [0, 1]
    declared = source.model_copy(update={"dynamic_dims": []})
    assert unpack({"model": Net(), "inputs": "a", "dynamic_dims": [0]}, declared, _is_net, "").dynamic_dims == []
