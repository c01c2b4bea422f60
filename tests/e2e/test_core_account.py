"""The user's own password, a locked account and the admin's unlock, in a real browser."""

from __future__ import annotations


def test_change_own_password_and_the_other_browser_is_signed_out(
    live_server, page, new_page, screenshot
):
    user = live_server.create_user("sales", name="Anna Becker", password="old-password")
    other = new_page()
    live_server.log_in(other, user)
    live_server.log_in(page, user)
    page.get_by_role("link", name="Anna Becker · sales").click()
    page.get_by_label("Current password").fill("old-password")
    page.get_by_label("New password", exact=True).fill("new-password-1")
    page.get_by_label("New password again").fill("new-password-1")
    page.get_by_role("button", name="Change password").click()
    page.get_by_text("Your password is changed. Your other sessions are signed out.").wait_for()
    screenshot("core-profile-password-changed")
    other.goto(live_server.url + "/customers/")
    assert "/login" in other.url
    live_server.log_in(other, user, "new-password-1")


def test_locked_account_is_told_when_to_retry_and_an_admin_unlocks(
    live_server, page, new_page, screenshot
):
    user = live_server.create_user("support", password="right-password")
    page.goto(live_server.url + "/login")
    for _ in range(5):
        page.get_by_label("E-mail").fill(user.email)
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
    page.get_by_text("Too many failed logins for this account. Try again in 15 minutes").wait_for()
    screenshot("core-login-locked")
    admin = live_server.create_user("admin")
    admin_page = new_page()
    live_server.log_in(admin_page, admin)
    admin_page.goto(live_server.url + f"/admin/users/{user.id}/edit")
    admin_page.get_by_text("Locked: 5 failed logins").wait_for()
    screenshot("core-user-locked", admin_page)
    admin_page.get_by_role("button", name="Unlock").click()
    admin_page.get_by_text(f"{user.email} may log in again.").wait_for()
    live_server.log_in(page, user, "right-password")
