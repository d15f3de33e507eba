"""Golden reports: which examples, in which formats. ``python -m tests.report.golden`` rewrites them."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

from advisor.api import recommend
from advisor.report.formats import Renderer, renderer
from advisor.scoring.result import Recommendation
from tests.conftest import EXAMPLES, ROOT

GOLDEN = Path(__file__).parent / "golden"
CASES = ["llm-finetuning-lab", "windows-lab-segmentation", "keras-enterprise-forecasting"]
SUFFIX = {"terminal": "txt", "markdown": "md", "json": "json", "html": "html", "adr": "adr.md"}
# The terminal goldens at a fixed width: by default the renderer takes the width of the terminal the
# tests run in. 80 columns, the narrowest terminal in common use, shows the narrow layouts.
TERMINAL_WIDTH = 80
# The day the golden reports are made for: review dates are checked against it, so they never go stale.
GOLDEN_DAY = dt.date(2026, 12, 7)

# The design-review formats also render a report with everything in it: synthetic probe evidence for
# three frameworks (seeded, so stable) and a migration (Keras 3 code, PyTorch wins).
FULL_CASE = "plant-app-keras3-code"
FULL_FORMATS = ["html", "adr", "terminal"]
SPECS = Path(__file__).parent / "specs"


def _renderer(fmt: str) -> Renderer:
    return partial(renderer(fmt), width=TERMINAL_WIDTH) if fmt == "terminal" else renderer(fmt)


def as_typed(report: Recommendation, path: Path) -> Recommendation:
    """``report`` as if its spec had been given relative to the checkout, as a user in it would type it
    (goldens must not depend on where the checkout is)."""
    return report.model_copy(update={"spec_file": path.relative_to(ROOT).as_posix()})


def rendered(case: str, fmt: str) -> str:
    if case == FULL_CASE:
        from tests.probing import synthetic

        path = SPECS / f"{case}.yaml"
        report = recommend(path, evidence=synthetic.run(jax_step=0.015), today=GOLDEN_DAY)
        return _renderer(fmt)(as_typed(report, path))
    path = EXAMPLES / f"{case}.yaml"
    return _renderer(fmt)(as_typed(recommend(path, today=GOLDEN_DAY), path))


def golden_path(case: str, fmt: str) -> Path:
    return GOLDEN / f"{case}.{SUFFIX[fmt]}"


# advisor migrate: TF -> PyTorch, PyTorch -> TF, and Keras code
MIGRATE_CASES = [
    ("tpu-recommender", "pytorch"),
    ("edge-asr-robotics", "tensorflow"),
    ("keras-enterprise-forecasting", "pytorch"),
]
MIGRATE_FORMATS = ["markdown", "terminal"]


def migrate_rendered(case: str, to: str, fmt: str = "markdown") -> str:
    """``advisor migrate``'s output: the full plan (markdown) or the terminal summary."""
    from advisor.api import migrate

    plan, names, cited = migrate(EXAMPLES / f"{case}.yaml", to)
    if fmt == "terminal":
        from advisor.report.terminal_migration import render

        return render(plan, names, f"examples/{case}.yaml", width=TERMINAL_WIDTH)
    from advisor.report.markdown import migration_document

    return migration_document(plan, names, f"examples/{case}.yaml", cited)


def migrate_golden_path(case: str, to: str, fmt: str = "markdown") -> Path:
    return GOLDEN / f"migrate-{case}-to-{to}.{SUFFIX[fmt]}"


README = Path(__file__).resolve().parents[2] / "README.md"


def readme_refreshed(text: str) -> str:
    """The README with its generated blocks (sample output, casebook table) brought up to date."""
    import re

    from advisor.api import load_context
    from advisor.report.terminal import render
    from tools.casebook import load_cases, render_markdown, run_cases

    sample = re.search(r"<!-- sample: (\S+) -->\n```text\n", text)
    if sample:
        path = README.parent / sample.group(1)
        output = render(as_typed(recommend(path, today=GOLDEN_DAY), path), width=TERMINAL_WIDTH)
        text = re.sub(
            r"(<!-- sample: \S+ -->\n```text\n).*?```", lambda m: m.group(1) + output + "```", text, flags=re.S
        )
    kb, rules = load_context()
    table = render_markdown(run_cases(load_cases(), kb, rules))
    return re.sub(
        r"<!-- casebook -->\n.*?\n<!-- /casebook -->",
        lambda m: "<!-- casebook -->\n" + table + "\n<!-- /casebook -->",
        text,
        flags=re.S,
    )


if __name__ == "__main__":
    README.write_text(readme_refreshed(README.read_text(encoding="utf-8")), encoding="utf-8")
    print("refreshed", README)
    GOLDEN.mkdir(exist_ok=True)
    for case in CASES:
        for fmt in SUFFIX:
            golden_path(case, fmt).write_text(rendered(case, fmt), encoding="utf-8")
            print("wrote", golden_path(case, fmt))
    for fmt in FULL_FORMATS:
        golden_path(FULL_CASE, fmt).write_text(rendered(FULL_CASE, fmt), encoding="utf-8")
        print("wrote", golden_path(FULL_CASE, fmt))
    for case, to in MIGRATE_CASES:
        for fmt in MIGRATE_FORMATS:
            migrate_golden_path(case, to, fmt).write_text(migrate_rendered(case, to, fmt), encoding="utf-8")
            print("wrote", migrate_golden_path(case, to, fmt))
