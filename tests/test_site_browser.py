"""The built site in a real Chromium: over http from a sub-path and from file://."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sitecheck import build_copy, copy_broken, copy_example
from test_build import EXAMPLE_PRESENT, xss_repo

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "shots"


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """Build the example (or the broken fixture) under <tmp>/sub/site/, and the XSS repo."""
    base = tmp_path_factory.mktemp("served")
    source = tmp_path_factory.mktemp("repo")
    root = copy_example(source) if EXAMPLE_PRESENT else copy_broken(source)
    build_copy(root, base / "sub" / "site")
    broken = copy_broken(tmp_path_factory.mktemp("broken"))
    build_copy(broken, base / "sub" / "broken")
    return base


@pytest.fixture(scope="module")
def server(sites):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                             "127.0.0.1", "--directory", str(sites)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def watch(page: Page) -> list[str]:
    """Collect console errors, page errors and dialogs (an alert means a script ran)."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))

    def dialog(d):
        problems.append(f"dialog: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    page.on("requestfailed", lambda r: _request_failed(r, problems))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)
    return problems


def _request_failed(request, problems: list[str]) -> None:
    # A load still pending when the test navigates on is aborted by the browser (often the
    # favicon); that is not a broken link. Missing files fail with ERR_FILE_NOT_FOUND.
    if request.failure != "net::ERR_ABORTED":
        problems.append(f"failed: {request.url} ({request.failure})")


def first_task_and_project(site: Path) -> tuple[str, str]:
    import json

    data = json.loads((site / "board.json").read_text())
    task = next((t for t in data["tasks"] if t["depends_on"]), data["tasks"][0])
    return task["ref"], task["project"]


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_pages_over_http_from_a_sub_path(page: Page, server, sites):
    problems = watch(page)
    ref, project = first_task_and_project(sites / "sub" / "site")
    base = f"{server}/sub/site/"
    page.goto(base + "index.html")
    expect(page.locator("h1")).to_have_count(1)
    shoot(page, "overview.png")
    page.get_by_role("link", name="Board", exact=True).first.click()
    expect(page).to_have_url(base + "board/index.html")
    expect(page.locator("[data-stage]").first).to_be_visible()
    shoot(page, "board.png")
    page.goto(base + f"projects/{project}/index.html")
    expect(page.locator("tr[data-task]").first).to_be_visible()
    shoot(page, "project.png")
    page.locator(f'tr[data-task="{ref}"] a').first.click()
    expect(page).to_have_url(base + f"projects/{ref}/index.html")
    expect(page.locator("article[data-task]")).to_have_attribute("data-task", ref)
    shoot(page, "task.png")
    page.goto(base + "review/index.html")
    shoot(page, "review.png")
    assert problems == []


def test_filters_work_without_javascript(browser, server, sites):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    problems = watch(page)
    base = f"{server}/sub/broken/"
    page.goto(base + "board/index.html")
    expect(page.locator("[data-quick-filter]")).to_be_hidden()  # the JS-only control stays out
    page.get_by_text("Project:").click()
    page.locator('.filter a[href$="board/project/limits/index.html"]').click()
    expect(page).to_have_url(base + "board/project/limits/index.html")
    cards = page.locator("article[data-task]")
    assert cards.count() > 0
    for ref in cards.evaluate_all("els => els.map(e => e.dataset.task)"):
        assert ref.startswith("limits/")
    over = page.locator('[data-stage="doing"][data-over="true"]')
    expect(over).to_contain_text("Over limit")
    page.get_by_text("Person:").click()
    page.locator('.filter a[href$="board/person/dan/index.html"]').click()
    expect(page).to_have_url(base + "board/person/dan/index.html")
    shoot(page, "board-filtered-nojs.png")
    context.close()
    assert problems == []


def test_quick_filter_with_javascript(page: Page, server, sites):
    problems = watch(page)
    page.goto(f"{server}/sub/broken/board/index.html")
    box = page.get_by_label("Find cards")
    expect(box).to_be_visible()
    total = page.locator("article[data-task]").count()
    box.fill("cycle")
    visible = page.locator("article[data-task]:visible")
    expect(visible).to_have_count(3)
    assert total > 3
    expect(page.locator(".quick-filter-count")).to_have_text(f"3 of {total} shown")
    assert problems == []


def test_pages_from_file_urls(page: Page, sites):
    problems = watch(page)
    site = sites / "sub" / "site"
    ref, project = first_task_and_project(site)
    page.goto((site / "index.html").as_uri())
    page.get_by_role("link", name="Board", exact=True).first.click()
    expect(page.locator("[data-stage]").first).to_be_visible()
    assert page.url.endswith("/board/index.html")
    page.goto((site / "projects" / project / "index.html").as_uri())
    page.locator(f'tr[data-task="{ref}"] a').first.click()
    assert page.url.endswith(f"/projects/{ref}/index.html")
    style = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "system-ui" in style  # the stylesheet loaded through a relative link
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto((site / "board" / "index.html").as_uri())
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # readable on a phone: no sideways scrolling
    shoot(page, "board-phone.png")
    assert problems == []


def test_no_injected_script_runs(page: Page, tmp_path, write_tree):
    root = xss_repo(write_tree)
    out = tmp_path / "xss-site"
    build_copy(root, out)
    problems = watch(page)
    page.add_init_script("window.__alerts = []; window.alert = m => window.__alerts.push(m);")
    for rel in ["index.html", "board/index.html", "projects/evil/index.html",
                "projects/evil/payload/index.html", "review/index.html", "people/index.html"]:
        page.goto((out / rel).as_uri())
        page.wait_for_load_state("load")
        page.mouse.move(10, 10)
        assert page.evaluate("window.__alerts") == [], rel
        if rel == "projects/evil/payload/index.html":
            shoot(page, "xss-task.png")
    assert [p for p in problems if not p.startswith("failed:")] == []
    shutil.rmtree(out)
