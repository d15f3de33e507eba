"""``python -m tools.screenshot``: redraw ``docs/report-screenshot.png``, the top of the HTML report for
``examples/llm-finetuning-lab.yaml`` as Chromium shows it (1100 x 1500), so the README's picture is the
report of today's code and knowledge."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

from advisor.api import recommend
from advisor.report.html import render
from tests.report.browser import Browser
from tests.report.golden import GOLDEN_DAY, as_typed

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples" / "llm-finetuning-lab.yaml"
TARGET = ROOT / "docs" / "report-screenshot.png"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        page.write_text(render(as_typed(recommend(SPEC, today=GOLDEN_DAY), SPEC)), encoding="utf-8")
        with Browser(Path(folder)) as browser:
            tab = browser.page()
            tab.call("Emulation.setDeviceMetricsOverride", width=1100, height=1500, deviceScaleFactor=1, mobile=False)
            tab.open(page.as_uri())
            shot = tab.call("Page.captureScreenshot", format="png")
    TARGET.write_bytes(base64.b64decode(shot["data"]))
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
