"""The registry served on a real port in this process, and headless Chromium (Debian's
package, driven by Playwright) looking at it: every request a page makes is checked to stay
on the registry, and axe-core is run in the page."""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from tests.servers import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
#: axe-core from npm (.ci/run installs it there; KETENREGISTER_AXE_JS names another copy).
AXE_JS = Path(
    os.environ.get("KETENREGISTER_AXE_JS", REPO / "var/npm/node_modules/axe-core/axe.min.js")
)
#: Screenshots and timings of the console's pages (var/ is not committed).
ARTIFACTS = Path(os.environ.get("KETENREGISTER_CONSOLE_ARTIFACTS", REPO / "var/console-artifacts"))


@contextmanager
def serving_app(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free local port in a thread; yields its URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical WCAG 2.x A/AA violations axe-core finds in the page."""
    if not AXE_JS.exists():
        raise AssertionError(
            f"axe-core not found at {AXE_JS}: npm install --prefix var/npm axe-core@4"
        )
    # Evaluated through the DevTools protocol: the page's CSP (no inline script) still holds.
    page.evaluate(AXE_JS.read_text() + "\n;undefined")
    for attempt in range(3):
        try:
            result = _axe_run(page)
            break
        except Exception as exc:
            # axe-core fails inside (building a selector for a node) when the page replaced
            # that node while it ran: GraphiQL re-renders after a result on a busy machine.
            if "nthChild" not in str(exc) or attempt == 2:
                raise
            page.wait_for_timeout(500)
    return [v for v in result if v["impact"] in {"serious", "critical"}]


def _axe_run(page: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate(
        """async () => {
          const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return result


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot under the artifacts folder."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def first_render_ms(page: Any, url: str, loads: int = 5) -> float:
    """The median over ``loads`` loads of ``url`` of the time to first contentful paint."""
    times = []
    for _ in range(loads):
        page.goto(url)
        page.wait_for_load_state("load")
        paint = page.evaluate(
            """() => new Promise(resolve => {
              const find = () => performance.getEntriesByName('first-contentful-paint')[0];
              const entry = find();
              if (entry) { resolve(entry.startTime); return; }
              new PerformanceObserver(() => { const e = find(); if (e) resolve(e.startTime); })
                .observe({type: 'paint', buffered: true});
              setTimeout(() => resolve(performance.getEntriesByType('navigation')[0]
                .responseEnd), 3000);
            })"""
        )
        times.append(float(paint))
    return statistics.median(times)


def write_timings(timings: dict[str, float]) -> Path:
    """Record the measured first-render times (ms) beside the screenshots."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "first-render-ms.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**previous, **timings}, indent=2, sort_keys=True))
    return path
