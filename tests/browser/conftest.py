"""Playwright (sync API) driving Debian's Chromium, headless, against pytest-django's live server.

Playwright's own browser download does not work here: the tests use /usr/bin/chromium
(`make browser-deps` installs it). axe-core is vendored in `vendor/` and injected as an init
script (DevTools, so the page's CSP does not block it); every Content Security Policy
violation the page reports is collected so a test can assert there was none.
"""

import os
import shutil
from pathlib import Path

import pytest

# The sync API runs an event loop in this thread; Django's ORM calls in the test body are safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"

# Reports each CSP violation to the console, where the page fixture collects it.
CSP_REPORTER = """
document.addEventListener('securitypolicyviolation', function (e) {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI);
});
"""


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class Page:
    """A Playwright page at tablet size (1024x768) that records console problems."""

    def __init__(self, page):
        self.page = page
        self.lang = "en"
        self.csp_violations: list[str] = []
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _on_console(self, msg) -> None:
        text = msg.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            self.csp_violations.append(text)

    def axe_violations(self, impacts=("serious", "critical")) -> list[dict]:
        """Runs axe-core on the current page; returns the violations of the given impacts, each
        node with axe's summary of what failed (for a contrast, the colours it measured). With
        any, a screenshot is kept and each violation names the page's style sheets and the rules
        each holds (0 or "unreadable": it did not load) and the scroll position.

        It first waits for the page's load event: a heading can be visible while the style
        sheets still load, and axe then measures the page without them (once, under a full
        run's load: Sign out in Bootstrap's light text, before app.css gave the header its
        background)."""
        self.page.wait_for_load_state("load")
        result = self.page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)})))"
        )
        found = [v for v in result if v["impact"] in impacts]
        if found:
            self.screenshot("axe-violation.png")
            state = self.page.evaluate(
                "() => ({url: location.pathname, scrollY: window.scrollY, sheets: [...document"
                ".styleSheets].map(s => { let n; try { n = s.cssRules.length } catch (e) {"
                " n = 'unreadable' } return (s.href || 'inline') + ' ' + n })})"
            )
            for violation in found:
                violation["page"] = state
        return found

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path


PHONE = 360  # the width of a phone, 360 x 740 (a touch screen); anything wider is a tablet


def screen(browser, width: int = 1024, lang: str = "en") -> Page:
    """A new browser context of `width` (1024 x 768 a tablet, `PHONE` a 360 x 740 phone with
    touch) asking for `lang`, with the CSP reporter and axe injected; close it with
    `.page.context.close()`. Reduced motion: Bootstrap then skips its colour transitions, so
    axe never measures the contrast of a button caught half-way through a hover fade."""
    phone = width <= PHONE
    context = browser.new_context(
        viewport={"width": width, "height": 740 if phone else 768},
        locale="es-ES" if lang == "es" else "en-US",
        reduced_motion="reduce",
        is_mobile=phone,
        has_touch=phone,
    )
    context.add_init_script(CSP_REPORTER)
    context.add_init_script(path=str(AXE_JS))
    wrapped = Page(context.new_page())
    wrapped.page.set_default_timeout(10_000)
    wrapped.lang = lang
    return wrapped


@pytest.fixture
def page(browser):
    wrapped = screen(browser)
    yield wrapped
    wrapped.page.context.close()
