"""The Airflow UI in a real browser: Playwright driving the system Chromium (the Debian package;
no browser is downloaded), one browser context (its own session cookie) per person.

Every wait is bounded: Playwright's own timeouts, whose errors name the locator they waited for,
and never past the test's ``deadline``. When the block fails, every open page is kept as a
screenshot and its HTML under ``test-artifacts/`` in the repository (git-ignored), and the
failure's captured output says where.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Locator, Page, Response, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The UI of a busy api-server (two cores shared with a scheduler, a task and the suite) can take
# many seconds to draw a page.
UI_TIMEOUT = 60.0


class Person:
    """One reviewer signed in to the Airflow UI in a browser context of their own."""

    def __init__(self, browser: Browser, base: str, user: str, deadline: float):
        self.base, self.user, self.deadline = base, user, deadline
        self.context: BrowserContext = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(self.timeout_ms())
        self.signed_in = False

    def timeout_ms(self) -> float:
        """Playwright's timeout for the next wait: the UI's, or what is left before the test's
        deadline if that is sooner."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{self.user}: the test's deadline passed before the next step")
        return min(UI_TIMEOUT, left) * 1000

    def open(self, path: str) -> Page:
        """Open a page of the UI, signing in on the simple auth manager's login page first if
        it asks (the demo password of tests/conftest.py)."""
        page = self.page
        page.set_default_timeout(self.timeout_ms())
        page.goto(f"{self.base}{path}")
        if not self.signed_in:
            page.get_by_label("Username").fill(self.user)
            page.get_by_label("Password").fill(f"{self.user}-password")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(re.compile(r"^(?!.*/auth/login)"))
            self.signed_in = True
        return page

    def open_step(self, task_id: str, subject: str) -> Page:
        """The step's form, as its reviewer finds it: Required actions (pending), then the
        step by its subject."""
        page = self.open("/required_actions?response_received=false")
        page.get_by_role("link", name=subject, exact=True).click()
        page.wait_for_url(re.compile(rf"/tasks/{re.escape(task_id)}/required_actions$"))
        page.get_by_role("heading", name=re.compile(r": round \d+ of \d+$")).wait_for()
        return page

    def field(self, title: str) -> Locator:
        """The text box of the form field titled ``title``. Airflow 3.3's form labels point at
        an id its text areas do not carry, so the box is found in the field's group by the
        label's text rather than by its accessible name."""
        group = self.page.get_by_role("group").filter(has=self.page.get_by_text(title, exact=True))
        return group.get_by_role("textbox")

    def tick(self, title: str) -> None:
        """Tick the switch labelled ``title`` (clicking its label, as a person does: the
        switch's own input is visually hidden)."""
        box = self.page.get_by_role("checkbox", name=title, exact=True)
        if not box.is_checked():
            # The label's text ends with a required-field asterisk.
            self.page.get_by_role("group").filter(has=box).get_by_text(title).click()
        if not box.is_checked():
            raise AssertionError(f"{self.user}: the switch '{title}' did not tick")

    def answer(self, option: str) -> Response:
        """Press the option's button; the API server's reply to the answer it sent."""
        with self.page.expect_response(
            lambda r: r.request.method == "PATCH" and "/hitlDetails" in r.url,
            timeout=self.timeout_ms(),
        ) as reply:
            self.page.get_by_role("button", name=option, exact=True).click()
        return reply.value

    def notice(self, title: str) -> str:
        """The text of the UI's notification (toast) titled ``title``, once it has shown; then
        the pointer moves off it so that it closes (it stays while pointed at, over the
        form's buttons), and it is waited away."""
        toast = self.page.get_by_role("status").filter(has_text=title)
        toast.wait_for(timeout=self.timeout_ms())
        text = toast.inner_text()
        self.page.mouse.move(0, 0)
        toast.wait_for(state="detached", timeout=self.timeout_ms())
        return text


class Browsers:
    """The people of one test, each in their own browser context of one Chromium."""

    def __init__(self, browser: Browser, base: str, deadline: float):
        self.browser, self.base, self.deadline = browser, base, deadline
        self.people: dict[str, Person] = {}

    def __getitem__(self, user: str) -> Person:
        if user not in self.people:
            self.people[user] = Person(self.browser, self.base, user, self.deadline)
        return self.people[user]

    def keep_pages(self, folder: Path) -> list[Path]:
        """A screenshot and the HTML of every page still open, in ``folder``."""
        kept = []
        folder.mkdir(parents=True, exist_ok=True)
        for user, person in self.people.items():
            for number, page in enumerate(person.context.pages):
                stem = folder / f"{user}-{number}"
                with contextlib.suppress(Exception):  # a page that crashed has no picture
                    page.screenshot(path=f"{stem}.png", full_page=True, timeout=15_000)
                    kept.append(stem.with_suffix(".png"))
                with contextlib.suppress(Exception):
                    stem.with_suffix(".html").write_text(page.content())
        return kept


@contextlib.contextmanager
def browsers(base: str, deadline: float, test_name: str) -> Iterator[Browsers]:
    """Headless system Chromium for the block; on failure every open page is kept under
    ``test-artifacts/<test name>/`` (replaced by each run of the test)."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", test_name)
    shutil.rmtree(folder, ignore_errors=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        people = Browsers(browser, base, deadline)
        try:
            yield people
        except BaseException:
            kept = people.keep_pages(folder)
            print(f"browser pages at the failure ({len(kept)} screenshots): {folder}")
            raise
        finally:
            browser.close()
