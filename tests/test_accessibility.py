"""Accessibility of the status site: axe-core (WCAG 2 A/AA) and keyboard use in Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

import mdpm.cli
from conftest import REPO, SMALL_CONFIG, GitRepo

pytestmark = pytest.mark.browser
BROKEN = REPO / "tests" / "fixtures" / "broken"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
BLOCKING = {"serious", "critical"}
AXE = Axe()  # axe-core's own script, read from the wheel: nothing is fetched at run time


def _build(repo: Path, out: Path, cache: Path) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MDPM_CACHE_DIR", str(cache))
        status = mdpm.cli.run(["-C", str(repo), "build", "--out", str(out)])
    assert status == 0, f"build of {repo} exited {status}"
    return out


@pytest.fixture(scope="module")
def example_site(tmp_path_factory) -> Path:
    return _build(REPO, tmp_path_factory.mktemp("a11y") / "site",
                  tmp_path_factory.mktemp("a11y-cache"))


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("broken-repo")
    shutil.copytree(BROKEN, repo, dirs_exist_ok=True)
    return _build(repo, tmp_path_factory.mktemp("a11y-broken") / "site",
                  tmp_path_factory.mktemp("a11y-broken-cache"))


def _first(site: Path, pattern: str, contains: str = "") -> str:
    """The first page (sorted) matching the glob, optionally holding a string."""
    for path in sorted(site.glob(pattern)):
        if contains in path.read_text(encoding="utf-8"):
            return path.relative_to(site).as_posix()
    raise AssertionError(f"no page {pattern} holding {contains!r} in {site}")


def _pages(site: Path) -> list[str]:
    return ["index.html", "board/index.html",
            _first(site, "board/project/*/index.html"),
            _first(site, "board/person/*/index.html"),
            _first(site, "projects/*/index.html", "<svg"),
            _first(site, "projects/*/*/index.html", 'type="checkbox"'),
            _first(site, "people/*/index.html"), "people/index.html",
            "review/index.html", "metrics/index.html", _first(site, "retro/*/index.html")]


def _offline(page: Page) -> list[str]:
    """Refuse every request that is not a local file; return the list of refused URLs."""
    refused: list[str] = []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return refused


def _is_task_list_checkbox(rule: str, node: dict) -> bool:
    # Markdown task lists come out of mdpm's renderer as bare disabled checkboxes without
    # a name; only mdpm/markdown rendering can label them (see test_task_list_checkboxes).
    return rule == "label" and node["html"].startswith('<input type="checkbox"')


def _scan(page: Page, url: str, *, open_details: bool = False) -> tuple[list, list]:
    """Run axe on a page; return (blocking violations, task-list checkbox violations)."""
    page.goto(url)
    if open_details:
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    found, checkboxes = [], []
    for violation in AXE.run(page, options=AXE_OPTIONS).response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            entry = (violation["id"], violation["impact"], node["target"], violation["helpUrl"])
            (checkboxes if _is_task_list_checkbox(violation["id"], node) else found).append(entry)
    return found, checkboxes


def _report(found: list) -> str:
    return "\n".join(f"{page}: {rule} ({impact}) at {', '.join(map(str, target))} - {url}"
                     for page, (rule, impact, target, url) in found)


def _scan_site(page: Page, site: Path, rels: list[str]) -> list:
    refused = _offline(page)
    found = []
    for rel in rels:
        assert (site / rel).is_file(), rel
        url = (site / rel).as_uri()
        variants = [False, True] if rel == "board/index.html" else [False]
        for open_details in variants:
            blocking, _ = _scan(page, url, open_details=open_details)
            found += [(rel + (" (filters open)" if open_details else ""), v) for v in blocking]
    assert not refused, f"pages or axe reached the network: {refused}"
    return found


def test_example_site_has_no_serious_violations(page: Page, example_site: Path):
    found = _scan_site(page, example_site, _pages(example_site))
    assert not found, "axe found serious or critical violations:\n" + _report(found)


def test_broken_site_has_no_serious_violations(page: Page, broken_site: Path):
    board = (broken_site / "board" / "index.html").read_text(encoding="utf-8")
    overview = (broken_site / "index.html").read_text(encoding="utf-8")
    assert 'data-over="true"' in board and "data-problem=" in overview
    rels = ["index.html", "board/index.html", _first(broken_site, "board/project/*/index.html"),
            _first(broken_site, "projects/*/*/index.html"), "people/index.html",
            "review/index.html", "metrics/index.html"]
    found = _scan_site(page, broken_site, rels)
    assert not found, "axe found serious or critical violations:\n" + _report(found)


def test_task_list_checkboxes_have_names(page: Page, example_site: Path):
    rel = _first(example_site, "projects/*/*/index.html", 'type="checkbox"')
    _, checkboxes = _scan(page, (example_site / rel).as_uri())
    assert not checkboxes, _report([(rel, v) for v in checkboxes])


def _focused(page: Page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement; const r = e.getBoundingClientRect();
        const s = getComputedStyle(e);
        return {tag: e.tagName.toLowerCase(), id: e.id, cls: e.className, text: e.textContent.trim(),
                href: e.getAttribute('href'), top: r.top, height: r.height,
                outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth)}; }""")


def test_skip_link_comes_first_and_moves_focus_to_main(page: Page, example_site: Path):
    page.goto((example_site / "board" / "index.html").as_uri())
    page.keyboard.press("Tab")
    skip = _focused(page)
    assert skip["cls"] == "skip-link" and skip["href"] == "#main", skip
    assert skip["top"] >= 0 and skip["height"] > 0, "the skip link is off screen when focused"
    assert skip["outline"] != "none" and skip["outlineWidth"] >= 2, skip
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main"
    page.keyboard.press("Tab")
    after = _focused(page)
    assert after["tag"] in ("a", "summary", "input") and after["cls"] != "brand", after


def _tab_to(page: Page, match, limit: int = 60) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if match(focused):
            return focused
    raise AssertionError(f"no focusable element matched in {limit} tabs")


@pytest.mark.parametrize("key", ["Enter", " "])
def test_filters_work_by_keyboard_without_javascript(browser, example_site: Path, key: str):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((example_site / "board" / "index.html").as_uri())
        summary = _tab_to(page, lambda f: f["tag"] == "summary" and f["text"].startswith("Person"))
        assert summary["outline"] != "none", "the filter has no visible focus"
        assert page.locator("details.filter").nth(1).evaluate("d => d.open") is False
        page.keyboard.press(key)
        assert page.locator("details.filter").nth(1).evaluate("d => d.open") is True
        link = _tab_to(page, lambda f: f["tag"] == "a" and "board/person/" in (f["href"] or ""),
                       limit=3)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/board/person/" in page.url, page.url
        assert link["text"].split(" (")[0] in page.locator("h1").inner_text()
        assert page.locator("a.clear-filter").count() == 1
    finally:
        context.close()


@pytest.fixture(scope="module")
def history_site(tmp_path_factory) -> Path:
    """A small repository whose tasks moved through the stages over weeks of commits."""
    repo = GitRepo(tmp_path_factory.mktemp("history-repo"))
    repo.write({"mdpm.toml": SMALL_CONFIG,
                "content/projects/acme/_index.md": "---\ntitle: Acme\nowner: alice\n---\n"})
    day = 86400
    for n in range(1, 7):
        repo.commit(f"add t{n}", {f"content/projects/acme/t{n}.md":
                                  f"---\ntitle: Task {n}\nowner: alice\n---\n"}, at=repo.clock + day)
    for n in range(1, 7):
        for stage in ("doing", "review", "done")[: 3 if n < 5 else n - 3]:
            repo.commit(f"t{n} to {stage}", {f"content/projects/acme/t{n}.md":
                        f"---\ntitle: Task {n}\nowner: alice\nstage: {stage}\n---\n"},
                        at=repo.clock + n * day)
    return _build(repo.root, tmp_path_factory.mktemp("a11y-history") / "site",
                  tmp_path_factory.mktemp("a11y-history-cache"))


def test_metrics_and_retro_with_history_have_no_serious_violations(page: Page, history_site):
    metrics = (history_site / "metrics" / "index.html").read_text(encoding="utf-8")
    assert 'class="label"' in metrics and 'data-chart="cycle"' in metrics
    found = _scan_site(page, history_site, ["metrics/index.html", "retro/acme/index.html",
                                            "projects/acme/index.html", "board/index.html"])
    assert not found, "axe found serious or critical violations:\n" + _report(found)


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_chart_text_meets_aa_contrast(page: Page, history_site: Path):
    # axe leaves the contrast of SVG text "to review", so it is measured here.
    page.goto((history_site / "metrics" / "index.html").as_uri())
    texts = page.evaluate("""() => [...document.querySelectorAll('svg.chart text')].map(t => {
        let e = t.closest('figure');
        while (e && getComputedStyle(e).backgroundColor === 'rgba(0, 0, 0, 0)') e = e.parentElement;
        return [t.textContent, getComputedStyle(t).fill, getComputedStyle(e || document.body).backgroundColor];
    })""")
    assert any(text.startswith("85 %") for text, _, _ in texts), texts
    low = [(text, fill, bg, round(_contrast(fill, bg), 2)) for text, fill, bg in texts
           if _contrast(fill, bg) < 4.5]
    assert not low, f"chart text under 4.5:1: {low}"


def test_phone_width_has_no_serious_violations(page: Page, history_site: Path, example_site):
    # On a narrow screen wide tables and graphs scroll: they must be reachable by keyboard.
    page.set_viewport_size({"width": 375, "height": 800})
    found = _scan_site(page, history_site, ["metrics/index.html", "retro/acme/index.html"])
    found += _scan_site(page, example_site, ["people/index.html",
                                             _first(example_site, "projects/*/index.html", "<svg")])
    assert not found, "axe found serious or critical violations:\n" + _report(found)


def test_column_counts_read_as_words(page: Page, broken_site: Path):
    page.goto((broken_site / "board" / "index.html").as_uri())
    column = page.locator('[data-over="true"]').first
    count, limit = column.get_attribute("data-count"), column.get_attribute("data-limit")
    assert column.locator(".wip-count").inner_text() == count
    snapshot = " ".join(column.locator(".wip").aria_snapshot().replace(" ,", ",").split())
    assert f"paragraph: {count} tasks, limit {limit}" in snapshot, snapshot


ICON_STYLES = """() => [...document.querySelectorAll('.icon')].map(icon => {
    const style = getComputedStyle(icon), box = icon.getBoundingClientRect();
    return [box.width, box.height, style.maskImage || style.webkitMaskImage,
            style.backgroundColor];
})"""


@pytest.mark.parametrize("colors", ["none", "active"])
def test_icons_are_drawn_in_the_text_colour_and_in_forced_colours(page: Page, example_site: Path,
                                                                  colors: str):
    page.emulate_media(forced_colors=colors)
    page.goto((example_site / "board" / "index.html").as_uri())
    icons = page.evaluate(ICON_STYLES)
    canvas = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert len(icons) > 20
    for width, height, mask, background in icons:
        assert width >= 10 and height >= 10
        assert mask.startswith('url("data:image/svg+xml,')
        assert background not in ("rgba(0, 0, 0, 0)", canvas)
