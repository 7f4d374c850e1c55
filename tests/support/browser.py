"""Debian's chromium driven by Playwright (browser downloads are impossible here)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """The system chromium (installed by `make setup`); fails the test when it is missing."""
    path = shutil.which(CHROMIUM.name, path=str(CHROMIUM.parent)) or shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is missing: run `make browser` (apt-get install -y chromium)")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(path), args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def sign_in(page: Page, base_url: str, api_key: str) -> None:
    """Open the console and sign in with `api_key` through the form."""
    await page.goto(f"{base_url}/console/reviews")
    await page.get_by_label("API key").fill(api_key)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/console/reviews")


async def screenshot(page: Page, folder: Path, name: str) -> None:
    """A full-page screenshot; also kept in $CONSOLE_SCREENSHOTS (docs/console) when set."""
    path = folder / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    if keep := os.environ.get("CONSOLE_SCREENSHOTS"):
        shutil.copy(path, Path(keep) / path.name)
