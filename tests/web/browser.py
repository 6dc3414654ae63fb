"""What the browser tests share: Debian's chromium driven by Playwright, the site served from the sample store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

MARKS = [pytest.mark.browser,
         pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed "
                            "(Debian package chromium; see scripts/system-deps.sh)")]


@contextmanager
def browser_page(**context_options: Any) -> Iterator[Any]:
    """One page of a fresh chromium at 1280 x 900 (Playwright skips the test where it is missing)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
        yield context.new_page()
        browser.close()
