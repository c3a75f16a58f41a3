"""mdpm serve in a real Chromium: an open page reloads by itself and shows broken saves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mdpm.live import LiveSite
from mdpm.serve import Preview
from test_serve import live_repo, task_text  # noqa: F401  (a fixture and a helper)

pytestmark = pytest.mark.browser
WAIT_MS = 10_000


@pytest.fixture
def served(live_repo, tmp_path):  # noqa: F811
    site_dir = tmp_path / "served"
    site_dir.mkdir()
    with Preview(live_repo, LiveSite(live_repo), site_dir, port=0) as preview:
        yield preview


def save_by_rename(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def test_an_open_page_reloads_by_itself_after_a_save(page: Page, served):
    page.goto(served.url + "projects/acme/draft/")
    expect(page.locator("h1")).to_have_text("Draft the story")
    page.evaluate("window.beforeTheSave = true")
    draft = served.root / "content/projects/acme/draft.md"
    save_by_rename(draft, task_text("Draft the story, saved", "doing", "A *new* paragraph."))
    expect(page.locator("h1")).to_have_text("Draft the story, saved", timeout=WAIT_MS)
    expect(page.locator("p.stage")).to_have_text("doing")
    expect(page.locator("em")).to_have_text("new")
    assert page.evaluate("window.beforeTheSave") is None  # a fresh page: it reloaded


def test_a_broken_save_shows_an_overlay_that_the_next_good_save_clears(page: Page, served):
    page.goto(served.url + "board/")
    overlay = page.locator("#mdpm-overlay")
    expect(overlay).to_have_count(0)
    draft = served.root / "content/projects/acme/draft.md"
    draft.write_text("---\ntitle: Draft\nowner: [alice\n---\n", encoding="utf-8")
    expect(overlay).to_be_visible(timeout=WAIT_MS)
    expect(overlay).to_contain_text("content/projects/acme/draft.md:3")
    expect(overlay.locator('[data-problem="frontmatter"]')).to_have_count(1)
    expect(page.locator('[data-task="beta/plan"]')).to_be_visible()  # the site is still there
    page.locator("#mdpm-overlay-close").click()
    expect(overlay).to_have_count(0)
    draft.write_text(task_text("Draft, repaired"), encoding="utf-8")
    expect(page.locator('[data-task="acme/draft"]')).to_contain_text("Draft, repaired",
                                                                     timeout=WAIT_MS)
    expect(overlay).to_have_count(0)
