"""Load a local HTML file in headless Chromium and report what a real browser saw: DOM facts, console messages,
exceptions and every network request. Speaks the DevTools protocol over a pipe (fds 3 and 4) with the standard
library only, so the test needs nothing but the Debian `chromium` binary."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_chromium() -> Optional[str]:
    explicit = os.environ.get("TOKENFORGE_CHROMIUM")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class _Pipe:
    """Newline-free JSON messages separated by NUL bytes, as Chromium's --remote-debugging-pipe expects."""

    def __init__(self, write_fd: int, read_fd: int, deadline: float):
        self.write_fd, self.read_fd, self.deadline = write_fd, read_fd, deadline
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: Optional[dict] = None, session: Optional[str] = None) -> int:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.write_fd, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def _read_one(self, timeout: float) -> Optional[dict]:
        while b"\0" not in self.buffer:
            left = min(timeout, self.deadline - time.monotonic())
            if left <= 0:
                return None
            ready, _, _ = select.select([self.read_fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: Optional[dict] = None, session: Optional[str] = None) -> dict:
        wanted = self.send(method, params, session)
        while True:
            msg = self._read_one(self.deadline - time.monotonic())
            if msg is None:
                raise TimeoutError(f"no answer from chromium to {method}")
            if msg.get("id") == wanted:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_for(self, method: str, timeout: float) -> bool:
        if any(e["method"] == method for e in self.events):
            return True
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            msg = self._read_one(end - time.monotonic())
            if msg is None:
                return False
            if "method" in msg:
                self.events.append(msg)
                if msg["method"] == method:
                    return True
        return False

    def drain(self, seconds: float) -> None:
        """Collect events for a while longer (late requests, deferred console messages)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            msg = self._read_one(end - time.monotonic())
            if msg is None:
                return
            if "method" in msg:
                self.events.append(msg)


# Evaluated in the page: facts about the rendered DOM, as JSON.
DOM_PROBE = """JSON.stringify({
  title: document.title,
  tables: document.querySelectorAll('table').length,
  svgs: Array.from(document.querySelectorAll('svg')).map(s => {
      const r = s.getBoundingClientRect();
      return {cls: s.getAttribute('class'), width: r.width, height: r.height,
              bars: s.querySelectorAll('rect.bar').length, markers: s.querySelectorAll('circle.marker').length,
              lines: s.querySelectorAll('polyline.line').length, texts: s.querySelectorAll('text').length};
  }),
  sections: Array.from(document.querySelectorAll('section')).map(s => s.id),
  scripts: document.querySelectorAll('script').length,
  cells: Array.from(document.querySelectorAll('td, th')).map(c => c.textContent),
  external: Array.from(document.querySelectorAll('[src], link[href]')).map(e => e.getAttribute('src') || e.getAttribute('href')),
})"""


def inspect_page(html_path: "str | os.PathLike[str]", chromium: str, timeout: float = 60.0) -> dict:
    """Opens `html_path` in headless Chromium; returns {"dom": {...}, "requests": [url, ...] (the document's own
    URL excluded), "console": [(level, text), ...] (errors and warnings from console, log and exceptions)}."""
    url = Path(html_path).resolve().as_uri()
    deadline = time.monotonic() + timeout
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()
    profile = tempfile.mkdtemp(prefix="tf-chromium-")

    def child_fds() -> None:  # the protocol pipe must be fds 3 (read) and 4 (write) in the browser
        os.dup2(to_chrome_r, 3)
        os.dup2(from_chrome_w, 4)

    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
           f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-default-apps", "--mute-audio", "--disable-dev-shm-usage", "about:blank"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=child_fds, pass_fds=(3, 4))  # kept open after preexec_fn
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    pipe = _Pipe(to_chrome_w, from_chrome_r, deadline)
    try:
        target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            pipe.call(f"{domain}.enable", session=session)
        pipe.events.clear()  # about:blank's own events
        pipe.call("Page.navigate", {"url": url}, session=session)
        if not pipe.wait_for("Page.loadEventFired", deadline - time.monotonic()):
            raise TimeoutError(f"chromium did not finish loading {url}")
        pipe.drain(1.0)
        probe = pipe.call("Runtime.evaluate", {"expression": DOM_PROBE, "returnByValue": True}, session=session)
        dom = json.loads(probe["result"]["value"])
        pipe.drain(0.3)
        try:
            pipe.call("Browser.close")
        except (RuntimeError, TimeoutError):
            pass
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(to_chrome_w)
        os.close(from_chrome_r)
        shutil.rmtree(profile, ignore_errors=True)
    requests, console = [], []
    for event in pipe.events:
        method, params = event["method"], event.get("params", {})
        if method == "Network.requestWillBeSent":
            if params["request"]["url"] != url:
                requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            console.append((params["type"], text))
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            console.append((params["entry"]["level"], params["entry"]["text"]))
        elif method == "Runtime.exceptionThrown":
            console.append(("exception", params["exceptionDetails"].get("text", "")))
    return {"dom": dom, "requests": requests, "console": console}
