"""Golden reports: which examples, in which formats. ``python -m tests.report.golden`` rewrites them."""

from __future__ import annotations

from pathlib import Path

from advisor.api import recommend
from advisor.report.formats import renderer
from tests.conftest import EXAMPLES

GOLDEN = Path(__file__).parent / "golden"
CASES = ["llm-finetuning-lab", "windows-lab-segmentation", "keras-enterprise-forecasting"]
SUFFIX = {"terminal": "txt", "markdown": "md", "json": "json", "html": "html", "adr": "adr.md"}

# The design-review formats also render a report with everything in it: synthetic probe evidence
# (seeded, so stable) and a migration (Keras 3 code, PyTorch wins).
FULL_CASE = "plant-app-keras3-code"
FULL_FORMATS = ["html", "adr"]
SPECS = Path(__file__).parent / "specs"


def rendered(case: str, fmt: str) -> str:
    if case == FULL_CASE:
        from tests.probing import synthetic

        return renderer(fmt)(recommend(SPECS / f"{case}.yaml", evidence=synthetic.run()))
    return renderer(fmt)(recommend(EXAMPLES / f"{case}.yaml"))


def golden_path(case: str, fmt: str) -> Path:
    return GOLDEN / f"{case}.{SUFFIX[fmt]}"


# advisor migrate: TF -> PyTorch, PyTorch -> TF, and Keras code
MIGRATE_CASES = [
    ("tpu-recommender", "pytorch"),
    ("edge-asr-robotics", "tensorflow"),
    ("keras-enterprise-forecasting", "pytorch"),
]


def migrate_rendered(case: str, to: str) -> str:
    from advisor.api import migrate
    from advisor.report.markdown import migration_document

    plan, names, cited = migrate(EXAMPLES / f"{case}.yaml", to)
    return migration_document(plan, names, f"{case}.yaml", cited)


def migrate_golden_path(case: str, to: str) -> Path:
    return GOLDEN / f"migrate-{case}-to-{to}.md"


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for case in CASES:
        for fmt in SUFFIX:
            golden_path(case, fmt).write_text(rendered(case, fmt), encoding="utf-8")
            print("wrote", golden_path(case, fmt))
    for fmt in FULL_FORMATS:
        golden_path(FULL_CASE, fmt).write_text(rendered(FULL_CASE, fmt), encoding="utf-8")
        print("wrote", golden_path(FULL_CASE, fmt))
    for case, to in MIGRATE_CASES:
        migrate_golden_path(case, to).write_text(migrate_rendered(case, to), encoding="utf-8")
        print("wrote", migrate_golden_path(case, to))
