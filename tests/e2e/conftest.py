"""Browser-test fixtures: a live server on a real database and Playwright driving Debian's Chromium.

    pytestmark = pytest.mark.plugins("loyalty")          # the plugins this module's server enables

    def test_tiers_page(live_server, page, screenshot):
        manager = live_server.create_user("manager")
        live_server.log_in(page, manager)
        page.goto(live_server.url + "/loyalty/")
        screenshot("loyalty-tiers")

Fixtures: `live_server` (plugins from the `plugins` marker, else the `clientele_plugins` and
`clientele_settings` fixtures), `live_server_factory(plugins=..., settings=..., **overrides)`,
`browser` (one per session), `page` (a fresh context per test), `new_page()` (another
context, e.g. a second user), `screenshot(name, page=None)`. See tests/e2e/README.md.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.live_server import E2EDatabase, LiveServer, e2e_database_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER_ENV = "CLIENTELE_REQUIRE_BROWSER"
#: Generous for a loaded 2-core machine, short enough that a missing element fails quickly.
DEFAULT_TIMEOUT_MS = 15_000
LOCAL_URL = re.compile(r"^(http://127\.0\.0\.1[:/]|data:|about:|blob:)")
E2E_FOLDER = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker that chooses the live server's plugins; keep request logs out of reports."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    config.addinivalue_line(
        "markers",
        "plugins(*names, settings=None): plugins (and [plugins.*] settings) of the e2e live_server",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that drive Chromium as browser tests (select them with -m browser)."""
    for item in items:
        uses_browser = "browser" in getattr(item, "fixturenames", ())
        if uses_browser and E2E_FOLDER in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, so the page fixture can screenshot failures."""
    report = yield
    item.stash.setdefault(_reports_key, {})[report.when] = report
    return report


_reports_key = pytest.StashKey[dict[str, Any]]()


@pytest.fixture(scope="session")
def e2e_database(tmp_path_factory: pytest.TempPathFactory) -> E2EDatabase:
    """The session's database for browser tests: SQLite in a temporary folder, or <test database>_e2e."""
    from core.testing import TEST_DATABASE_ENV

    url = e2e_database_url(os.environ.get(TEST_DATABASE_ENV), tmp_path_factory.mktemp("e2e"))
    return E2EDatabase(url)


@pytest.fixture
def live_server_factory(
    e2e_database: E2EDatabase, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., LiveServer]]:
    """Factory: live_server_factory(plugins=[...], settings={...}, **config) → a started LiveServer.

    The first server of a test starts on an emptied database; later ones in the same test
    keep its data (e.g. to enable another plugin on an existing database).
    """
    servers: list[LiveServer] = []

    def start(
        plugins: Sequence[str] = (),
        settings: dict[str, Any] | None = None,
        **overrides: Any,
    ) -> LiveServer:
        from core import create_app
        from core.migrate import check_schema

        overrides.setdefault("testing", True)
        app = create_app(
            os.devnull,
            database_url=e2e_database.url,
            plugins=list(plugins),
            settings=settings or {},
            check_migrations=False,
            instance_path=str(tmp_path_factory.mktemp("instance")),
            **overrides,
        )
        # The browser must prove every form carries its token.
        app.config["WTF_CSRF_ENABLED"] = True
        e2e_database.prepare(app, empty=not servers)
        check_schema(app)
        server = LiveServer(app).start()
        servers.append(server)
        return server

    yield start
    with ExitStack() as stack:
        for server in servers:
            stack.callback(server.stop)
        errors = [error for server in servers for error in server.errors]
        if errors:
            pytest.fail(
                f"The app raised while serving the browser: {errors[0]!r} "
                f"({len(errors)} in all; see the captured log for the traceback).",
                pytrace=False,
            )


@pytest.fixture
def live_server(
    request: pytest.FixtureRequest,
    live_server_factory: Callable[..., LiveServer],
    clientele_plugins: list[str],
    clientele_settings: dict[str, Any],
) -> LiveServer:
    """The app served on 127.0.0.1 with the plugins of the `plugins` marker (or clientele_plugins)."""
    marker = request.node.get_closest_marker("plugins")
    if marker is None:
        return live_server_factory(plugins=clientele_plugins, settings=clientele_settings)
    settings = marker.kwargs.get("settings", clientele_settings)
    return live_server_factory(plugins=list(marker.args), settings=settings)


def _browser_unavailable(reason: str) -> None:
    """Skip the browser tests, or fail them when CI says a browser must be there."""
    if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_BROWSER_ENV}=1, so this is an error)", pytrace=False)
    pytest.skip(f"{reason}; browser tests skipped (scripts/install-chromium.sh installs it)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session (each test gets its own context)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _browser_unavailable("Playwright is not installed (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        _browser_unavailable(f"Chromium is not installed at {CHROMIUM}")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
        except Error as error:
            _browser_unavailable(f"Chromium at {CHROMIUM} did not start: {error.message}")
        yield browser
        browser.close()


class PageWatcher:
    """Collects what must never happen on a page: JavaScript errors, Content-Security-Policy
    violations (an inline script or handler the policy blocks) and requests leaving the machine."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def watch(self, page: Any) -> Any:
        """Listen to a page's errors, console and requests."""
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error: {error}"))
        page.on("console", self._check_console)
        page.on("request", self._check_request)
        return page

    def _check_console(self, message: Any) -> None:
        """Chromium reports each blocked script, handler or style on the console."""
        if "Content Security Policy" in message.text:
            self.problems.append(f"CSP violation at {message.location.get('url')}: {message.text}")

    def _check_request(self, request: Any) -> None:
        """Everything (CSS, JS, fonts) is served by the app itself; nothing is fetched elsewhere."""
        if not LOCAL_URL.match(request.url):
            self.problems.append(f"request outside the app: {request.url}")


@pytest.fixture
def new_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Callable[[], Any]]:
    """Factory: new_page() → a page in a fresh browser context (own cookies: another user)."""
    contexts: list[Any] = []
    watcher = PageWatcher()

    def make() -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return watcher.watch(context.new_page())

    yield make
    reports = request.node.stash.get(_reports_key, {})
    if "call" in reports and reports["call"].failed:
        for number, context in enumerate(contexts):
            for page_number, page in enumerate(context.pages):
                _save_screenshot(
                    page, f"FAILED-{_safe_name(request.node.nodeid)}-{number}-{page_number}"
                )
    for context in contexts:
        context.close()
    if watcher.problems:
        pytest.fail("; ".join(watcher.problems), pytrace=False)


@pytest.fixture
def page(new_page: Callable[[], Any]) -> Any:
    """A Playwright page (sync API) in a fresh context; failures leave a screenshot."""
    return new_page()


def screenshot_folder() -> Path:
    """test-artifacts/screenshots/ at the project root (git-ignored)."""
    from core.config import PROJECT_ROOT

    folder = PROJECT_ROOT / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _safe_name(name: str) -> str:
    """A file name made of letters, digits, dots, dashes and underscores."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")


def _save_screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG of the page under test-artifacts/screenshots/."""
    path = screenshot_folder() / f"{_safe_name(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot(page: Any) -> Callable[..., Path]:
    """screenshot("loyalty-tiers", page=None) → the saved full-page PNG (name it after your plugin)."""

    def take(name: str, of_page: Any = None) -> Path:
        return _save_screenshot(of_page or page, name)

    return take
