"""The HTML report in a real browser: headless Chromium loads it, logs no error, fetches nothing.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: JSON messages
ended by NUL on file descriptors 3 and 4), so the test needs the standard library only. Install the
browser with Debian's ``chromium`` package; without it the test skips.
"""

from __future__ import annotations

import base64
import fcntl
import itertools
import json
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from advisor.api import recommend
from advisor.report.html import render
from tests.probing import synthetic
from tests.report.golden import FULL_CASE, SPECS

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
]
TIMEOUT_S = 60.0


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(_chromium() is None, reason="needs Chromium (apt-get install chromium)"),
]


def _above_4(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


class _DevTools:
    """A minimal DevTools client over Chromium's pipe: send commands, collect events."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_child, self._send = os.pipe()
        self._recv, from_child = os.pipe()
        to_child, from_child = _above_4(to_child), _above_4(from_child)  # so placing them on 3 and 4 clobbers nothing
        self._log = (profile.parent / "chromium.log").open("wb")  # a file, not a pipe nobody drains

        # bash (dash takes single-digit fds only) puts the pipe on fds 3 (commands) and 4 (replies), then execs
        wire = f'exec "$0" "$@" 3<&{to_child} 4>&{from_child} {to_child}<&- {from_child}>&-'
        self.process = subprocess.Popen(
            [
                shutil.which("bash") or "/bin/bash",
                "-c",
                wire,
                binary,
                *FLAGS,
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            pass_fds=(to_child, from_child),
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        os.close(to_child)
        os.close(from_child)
        self._ids = itertools.count(1)
        self._buffer = b""
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        message: dict[str, Any] = {"id": next(self._ids), "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._send, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == message["id"]:
                assert "error" not in reply, f"{method}: {reply['error']}"
                return reply.get("result", {})  # type: ignore[no-any-return]
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        while True:
            event = self._read()
            self.events.append(event)
            if event.get("method") == method:
                return event

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_S
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._recv], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(self._recv, 1 << 20) if ready else b""
            if not chunk:
                raise TimeoutError("Chromium stopped answering on the DevTools pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)  # type: ignore[no-any-return]

    def close(self) -> None:
        try:
            self.call("Browser.close")
        finally:
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            os.close(self._send)
            os.close(self._recv)
            self._log.close()


def load(page: Path, screenshot: Path, profile: Path) -> tuple[list[str], list[str]]:
    """Open ``page``, save a 1280-wide screenshot; return (console and log errors, requested URLs)."""
    binary = _chromium()
    assert binary is not None
    browser = _DevTools(binary, profile)
    try:
        target = browser.call("Target.createTarget", url="about:blank")["targetId"]
        session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(f"{domain}.enable", session)
        browser.call(
            "Emulation.setDeviceMetricsOverride", session, width=1280, height=2000, deviceScaleFactor=1, mobile=False
        )
        browser.call("Page.navigate", session, url=page.as_uri())
        browser.wait_for("Page.loadEventFired")
        shot = browser.call("Page.captureScreenshot", session, format="png")
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        browser.call("Runtime.evaluate", session, expression="1")  # flush events queued behind the load
    finally:
        browser.close()
    errors, urls = [], []
    for event in browser.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            errors.append(f"{details.get('text', '')} {details.get('exception', {}).get('description', '')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
            errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            errors.append(params["entry"]["text"])
        elif method == "Network.requestWillBeSent":
            urls.append(params["request"]["url"])
    return errors, urls


_LOADED = re.compile(
    r"""<(?:link|script|img|iframe|source|video|audio|embed|object|image|use)\b[^>]*?\b(?:src|href|data|srcset)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|@import|url\(\s*["']?\s*(?:https?:)?//""",
    re.IGNORECASE,
)


def test_report_loads_in_chromium_without_errors_or_external_requests(tmp_path: Path) -> None:
    report = recommend(SPECS / f"{FULL_CASE}.yaml", evidence=synthetic.run(jax_step=0.015))
    assert len([s for s in report.ranking if not s.excluded]) == 3  # three candidates, three sets of bars
    html = render(report)
    assert "Measured evidence" in html and "API and tooling map" in html  # the sections under test are there
    assert not _LOADED.search(html), "the report must not load anything from the network"
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    screenshot = tmp_path / "report.png"

    errors, urls = load(page, screenshot, tmp_path / "profile")

    assert errors == []
    assert urls == [page.as_uri()], "only the page itself may be requested"
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000


def test_the_browser_check_catches_errors_and_fetches(tmp_path: Path) -> None:
    """The check itself: a page that logs an error and loads an image over the network fails it."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><title>bad</title><img src="https://example.invalid/x.png">'
        '<script>console.error("boom"); missing_function();</script>',
        encoding="utf-8",
    )
    assert _LOADED.search(page.read_text())

    errors, urls = load(page, tmp_path / "bad.png", tmp_path / "profile")

    assert any("boom" in e for e in errors) and any("missing_function" in e for e in errors)
    assert "https://example.invalid/x.png" in urls
