"""Headless Chromium over the DevTools protocol on a pipe, for tests that look at pages as a person does.

``--remote-debugging-pipe`` carries JSON messages ended by NUL on file descriptors 3 and 4, so the
tests need the standard library only. Install the browser with Debian's ``chromium`` package; without
it the browser tests skip.
"""

from __future__ import annotations

import base64
import fcntl
import itertools
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

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


def chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


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


class Page:
    """One tab, attached: navigate, evaluate JavaScript, press keys; every event is kept for checks."""

    def __init__(self, browser: _DevTools) -> None:
        self.browser = browser
        target = browser.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(f"{domain}.enable", self.session)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.call(method, self.session, **params)

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        self.browser.wait_for("Page.loadEventFired")
        self.evaluate("1")  # flush events queued behind the load

    def evaluate(self, expression: str) -> Any:
        reply = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in reply, reply["exceptionDetails"]
        return reply["result"].get("value")

    def press(self, key: str, code: str, key_code: int) -> None:
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=code, windowsVirtualKeyCode=key_code)

    def events(self) -> list[dict[str, Any]]:
        """The events of this tab (a browser shared between tests keeps every tab's)."""
        return [e for e in self.browser.events if e.get("sessionId") == self.session]

    def errors(self) -> list[str]:
        """Exceptions, console errors and warnings, and log errors seen so far in this tab."""
        out = []
        for event in self.events():
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                out.append(f"{details.get('text', '')} {details.get('exception', {}).get('description', '')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
                out.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                out.append(params["entry"]["text"])
        return out

    def dialogs(self) -> list[str]:
        opened = [e for e in self.events() if e.get("method") == "Page.javascriptDialogOpening"]
        return [e["params"]["message"] for e in opened]


class Browser:
    """``with Browser(tmp_path) as browser: page = browser.page()``: one Chromium, closed on exit."""

    def __init__(self, folder: Path) -> None:
        binary = chromium()
        assert binary is not None
        self.devtools = _DevTools(binary, folder / "profile")

    def page(self) -> Page:
        return Page(self.devtools)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.devtools.close()


def load(page: Path, screenshot: Path, profile: Path) -> tuple[list[str], list[str]]:
    """Open ``page``, save a 1280-wide screenshot; return (console and log errors, requested URLs)."""
    with Browser(profile.parent) as browser:
        tab = browser.page()
        tab.call("Emulation.setDeviceMetricsOverride", width=1280, height=2000, deviceScaleFactor=1, mobile=False)
        tab.open(page.as_uri())
        shot = tab.call("Page.captureScreenshot", format="png")
        screenshot.write_bytes(base64.b64decode(shot["data"]))
    urls = [e["params"]["request"]["url"] for e in tab.events() if e.get("method") == "Network.requestWillBeSent"]
    return tab.errors(), urls
