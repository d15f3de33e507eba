"""Golden reports: which examples, in which formats. ``python -m tests.report.golden`` rewrites them."""

from __future__ import annotations

from pathlib import Path

from advisor.api import recommend
from advisor.report.formats import renderer
from tests.conftest import EXAMPLES

GOLDEN = Path(__file__).parent / "golden"
CASES = ["llm-finetuning-lab", "windows-lab-segmentation", "keras-enterprise-forecasting"]
SUFFIX = {"terminal": "txt", "markdown": "md", "json": "json"}


def rendered(case: str, fmt: str) -> str:
    return renderer(fmt)(recommend(EXAMPLES / f"{case}.yaml"))


def golden_path(case: str, fmt: str) -> Path:
    return GOLDEN / f"{case}.{SUFFIX[fmt]}"


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for case in CASES:
        for fmt in SUFFIX:
            golden_path(case, fmt).write_text(rendered(case, fmt), encoding="utf-8")
            print("wrote", golden_path(case, fmt))
