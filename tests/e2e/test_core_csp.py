"""The Content-Security-Policy in a real browser: pages work under it, and a violation fails a test."""

from __future__ import annotations

from tests.e2e.conftest import PageWatcher


def test_an_injected_inline_script_is_blocked_and_reported(live_server, browser):
    """What the page fixture relies on: Chromium reports a blocked script on the console."""
    context = browser.new_context()
    watcher = PageWatcher()
    page = watcher.watch(context.new_page())
    page.goto(live_server.url + "/login")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.appendChild(script);
        }"""
    )
    page.wait_for_function("() => true")
    for _ in range(50):
        if watcher.problems:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("() => window.injected === undefined")
    assert watcher.problems and "Content Security Policy" in watcher.problems[0]
    context.close()


def test_confirm_prompts_and_check_all_work_without_inline_script(live_server, page):
    """The behaviours moved out of inline handlers (core/static/clientele.js) still work."""
    manager = live_server.create_user("manager")
    customer = live_server.create_customer(name="Ada")
    product = live_server.create_product()
    order = live_server.create_order(customer, manager, [(product, 1)], confirm=False)
    live_server.log_in(page, manager)
    page.goto(live_server.url + f"/orders/{order.id}")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Cancel order").click()
    page.wait_for_timeout(300)
    assert live_server.get(type(order), order.id).status == "draft"  # dismissed: nothing sent
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="Cancel order").click()
    assert live_server.get(type(order), order.id).status == "cancelled"
