"""`advisor probe --scale`'s options, checked before any worker starts: each mistake one clear error
(exit 2), and the commands of a multi-node run printed for every node."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from advisor.cli.commands import app


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--hosts", "a,b"], "--hosts needs --scale N"),
        (["--scale", "3", "--hosts", "a,b"], "3 workers do not spread evenly over 2 hosts"),
        (["--scale", "1"], "between 2 and 4096"),
        (["--scale", "2", "--hosts", "a,b", "--node-rank", "2"], "node rank must be between 0 and 1"),
        (["--scale", "2", "--deploy"], "--deploy does not apply to the scaling probe"),
        (["--scale", "2", "--model", "m.py:make", "--precision", "bf16"], "--model, --precision do not apply"),
        (["--scale", "2", "-w", "lstm"], "'lstm' is not one of transformer, cnn"),
        (["--scale", "2", "--device", "tpu"], "device must be auto, cpu or cuda"),
    ],
)
def test_a_mistake_is_one_clear_error(args: list[str], said: str) -> None:
    result = CliRunner().invoke(app, ["probe", *args], env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    assert said in result.output and "Traceback" not in result.output


def test_several_hosts_without_an_output_print_each_nodes_command() -> None:
    result = CliRunner().invoke(app, ["probe", "--scale", "4", "--hosts", "10.0.0.1,10.0.0.2"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    for rank, host in enumerate(("10.0.0.1", "10.0.0.2")):
        assert f"--node-rank {rank} -o scale-node{rank}.json   # on {host}" in result.output
    assert "--evidence scale-node0.json --evidence scale-node1.json" in result.output
