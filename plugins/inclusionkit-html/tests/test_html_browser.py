"""The HTML report in a real browser: headless Chromium loads it offline, draws it, prints it.

Two ways in, so that the check runs wherever Chromium is installed:

- the Chromium command line (needs only the Debian package ``chromium``): ``--dump-dom`` gives
  the DOM as the browser built it, ``--enable-logging=stderr`` its console, ``--log-net-log``
  every network request, ``--screenshot`` and ``--print-to-pdf`` what a person would see;
- Selenium with chromedriver (Debian ``chromium-driver``, pip ``selenium``): console and
  performance (network) logs, DOM queries with layout (bar sizes), the script-injection check.

Every browser gets ``--host-resolver-rules="MAP * ~NOTFOUND"``: nothing could be fetched anyway,
and the logs show whether anything was *tried*. Chromium itself makes background requests
(updates, accounts) in spite of the flags; only requests made for the page (in the ``file://``
network partition) count.

Set ``INCLUSIONKIT_HTML_SCREENSHOTS`` to a folder to keep the screenshots and PDFs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from html_report_dom import HOSTILE_TITLE, example, hostile_project, parse
from inclusionkit_html import render_report

CHROMIUM = next(
    (
        found
        for found in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome"))
        if found
    ),
    None,
)
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian: apt-get install chromium chromium-driver)",
)

HEADLESS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
WIDTH = 1200
# Taller than either example's page at this width, so a screenshot holds the whole report.
HEIGHT = 10000
TIMEOUT = 180


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The pages under test, written to files: both examples (en and ro) and a hostile one."""
    folder = tmp_path_factory.mktemp("pages")
    pages = {}
    for name, lang in (("dreptul-la-munca", "en"), ("dialog-social", "ro")):
        project, participations = example(name)
        path = folder / f"{name}.{lang}.html"
        path.write_text(render_report(project, participations, lang=lang), encoding="utf-8")
        pages[f"{name}.{lang}"] = path
    hostile = folder / "hostile.html"
    hostile.write_text(render_report(hostile_project(), lang="ro"), encoding="utf-8")
    pages["hostile"] = hostile
    return pages


def _keep(path: Path) -> None:
    """Copy a screenshot or PDF to $INCLUSIONKIT_HTML_SCREENSHOTS when it is set."""
    folder = os.environ.get("INCLUSIONKIT_HTML_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


def _chromium(profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *HEADLESS, f"--user-data-dir={profile}", *arguments],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _page_requests(net_log: Path) -> list[str]:
    """URLs the page asked the network stack for (not Chromium's own background requests)."""
    data = json.loads(net_log.read_text(encoding="utf-8"))
    start = data["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in data["events"]:
        params = event.get("params", {})
        if event["type"] == start and "file://" in str(params.get("network_isolation_key", "")):
            urls.append(params["url"])
    return urls


def _expected_bars(name: str) -> dict[str, int]:
    project, _ = example(name)
    return {"progress-chart": len(project.indicators)}


def _colour_pixels(png: Path, colour: tuple[int, int, int], tolerance: int = 12) -> int:
    from PIL import Image

    with Image.open(png) as image:
        histogram: list[tuple[int, Any]] = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
    total = 0
    for count, pixel in histogram:
        if all(abs(int(a) - b) <= tolerance for a, b in zip(pixel, colour, strict=True)):
            total += count
    return total


@pytest.mark.parametrize("page", ["dreptul-la-munca.en", "dialog-social.ro"])
def test_chromium_shows_the_page_offline(
    rendered: dict[str, Path], tmp_path: Path, page: str
) -> None:
    """Chromium loads the page with no console message and no request, and draws every bar."""
    path = rendered[page]
    net_log = tmp_path / "net.json"
    result = _chromium(
        tmp_path / "profile",
        "--enable-logging=stderr",
        "--v=0",
        f"--log-net-log={net_log}",
        "--dump-dom",
        path.as_uri(),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, console
    assert _page_requests(net_log) == []

    dom = parse(result.stdout)
    name = page.split(".")[0]
    for chart, count in _expected_bars(name).items():
        assert len(dom.bars(chart)) == count, chart
    project, participations = example(name)
    activity_bars = dom.bars("activities-chart")
    assert sum(int(bar.attrs["data-count"]) for bar in activity_bars) == len(project.activities)
    if participations is not None:
        assert dom.bars("esf-output-chart")
        assert dom.bars("esf-result-chart")

    shot = tmp_path / f"{page}.png"
    result = _chromium(
        tmp_path / "profile",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--screenshot={shot}",
        path.as_uri(),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.exists()
    _keep(shot)
    # The charts were painted: the "met" green and the "exceeded" blue of the progress bars.
    assert _colour_pixels(shot, (0x00, 0x9E, 0x73)) > 2000
    if page.startswith("dreptul"):
        assert _colour_pixels(shot, (0x00, 0x72, 0xB2)) > 2000


def test_chromium_prints_the_page_to_a_few_a4_pages(
    rendered: dict[str, Path], tmp_path: Path
) -> None:
    """Printing (to PDF) gives a handful of A4 pages, as a project manager would send."""
    pdf = tmp_path / "dreptul-la-munca.en.pdf"
    result = _chromium(
        tmp_path / "profile",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        rendered["dreptul-la-munca.en"].as_uri(),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert pdf.exists()
    _keep(pdf)
    data = pdf.read_bytes()
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    assert 3 <= pages <= 12, pages
    # The stylesheet's @page asks for A4: 595 x 842 points.
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert boxes
    for width, height in boxes:
        assert abs(float(width) - 595.3) < 1
        assert abs(float(height) - 841.9) < 1


def test_chromium_shows_markup_as_text(rendered: dict[str, Path], tmp_path: Path) -> None:
    """A title holding <script> is text in the browser's DOM: no script, image or frame exists."""
    result = _chromium(tmp_path / "profile", "--dump-dom", rendered["hostile"].as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = parse(result.stdout)
    assert not dom.by_tag("script")
    assert not dom.by_tag("img")
    assert not dom.by_tag("iframe")
    assert next(e for e in dom.elements if e.tag == "h1").text == HOSTILE_TITLE


# ---- Selenium: the same page, driven, with logs and layout -------------------------------


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A headless Chromium driven by chromedriver, logging its console and its network."""
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed (pip install selenium)"
    )
    if CHROMEDRIVER is None:
        pytest.skip("chromedriver is not installed (Debian: apt-get install chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    # Both paths given: Selenium then never tries to download a browser or a driver.
    options.binary_location = CHROMIUM
    for flag in HEADLESS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('selenium-profile')}")
    options.add_argument(f"--window-size={WIDTH},1000")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield browser
    finally:
        browser.quit()


def _load(driver: Any, path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Open ``path``; return the console entries and the URLs requested for the page.

    Requests are those whose document is a ``file://`` page: the browser's own new-tab page
    (``chrome://``) logs requests too, and they are not the report's.
    """
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get_log("performance")
    driver.get(path.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    console = driver.get_log("browser")
    requested = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent" and str(
            params.get("documentURL", "")
        ).startswith("file://"):
            requested.append(params["request"]["url"])
    # The page itself is in the log: the log works, so an empty rest means nothing else.
    assert path.as_uri() in requested
    return console, requested


def test_driven_browser_sees_no_console_error_no_request_and_every_bar(
    driver: Any, rendered: dict[str, Path], tmp_path: Path
) -> None:
    """Console empty, only the file itself requested, bars counted and sized in the live DOM."""
    path = rendered["dreptul-la-munca.en"]
    console, requested = _load(driver, path)
    assert console == []
    assert all(url.startswith("file://") for url in requested), requested

    project, _ = example("dreptul-la-munca")
    counts = driver.execute_script(
        """
        const count = (id) => document.querySelectorAll(`svg#${id} .bar`).length;
        return {
          progress: count("progress-chart"),
          outputs: count("esf-output-chart"),
          results: count("esf-result-chart"),
          activities: Array.from(document.querySelectorAll("svg#activities-chart .bar"))
            .reduce((sum, bar) => sum + Number(bar.dataset.count), 0),
        };
        """
    )
    assert counts["progress"] == len(project.indicators)
    assert counts["activities"] == len(project.activities)
    assert counts["outputs"] > 0
    assert counts["results"] > 0
    # Every progress bar with a value is drawn with a visible length, in a chart laid out wide.
    widths = driver.execute_script(
        """
        return Array.from(document.querySelectorAll("svg#progress-chart .bar path"))
          .map((path) => path.getBoundingClientRect().width);
        """
    )
    assert len(widths) == len(project.indicators)
    assert min(widths) > 50
    chart_width = driver.execute_script(
        'return document.getElementById("progress-chart").getBoundingClientRect().width'
    )
    assert chart_width > 600

    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(WIDTH, height + 200)
    shot = tmp_path / "dreptul-la-munca.selenium.png"
    assert driver.save_screenshot(str(shot))
    _keep(shot)
    assert _colour_pixels(shot, (0x00, 0x9E, 0x73)) > 2000


def test_driven_browser_runs_no_script_from_the_data(
    driver: Any, rendered: dict[str, Path]
) -> None:
    """The hostile title is shown as text; none of the injected handlers ran or was blocked."""
    console, requested = _load(driver, rendered["hostile"])
    # A script that had slipped through would run (setting window.__pwned) or be refused by the
    # page's Content-Security-Policy (a console error): neither happens.
    assert console == []
    assert all(url.startswith("file://") for url in requested), requested
    state = driver.execute_script(
        """
        return {
          pwned: typeof window.__pwned,
          scripts: document.scripts.length,
          injected: document.querySelectorAll("img, iframe").length,
          title: document.querySelector("h1").textContent,
        };
        """
    )
    assert state == {"pwned": "undefined", "scripts": 0, "injected": 0, "title": HOSTILE_TITLE}
