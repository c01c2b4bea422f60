"""Logging in safely: throttled failures, equal cost for unknown e-mails, revocable sessions, passwords."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import pytest
import time_machine

import core.auth
from core import throttle
from core.models import User

PASSWORD = "right-password"


def log_in(client, email, password, address="10.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def logged_in(client) -> bool:
    return client.get("/").status_code == 200


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client, make_user, caplog):
    user = make_user("sales", email="ann@example.com", password=PASSWORD)
    with caplog.at_level(logging.WARNING, logger="clientele.login"):
        for _ in range(4):
            page = log_in(client, user.email, "guess")
            assert page.status_code == 200 and b"E-mail or password is wrong" in page.data
        fifth = log_in(client, user.email, "guess")
    # The fifth failure locks the account at once, and the page says for how long.
    assert fifth.status_code == 429
    assert b"Too many failed logins for this account. Try again in 15 minutes" in fifth.data
    failures = [record for record in caplog.records if "failed login" in record.getMessage()]
    assert len(failures) == 5 and "'ann@example.com' from 10.0.0.1" in failures[0].getMessage()
    refused = log_in(client, user.email, PASSWORD)
    assert refused.status_code == 429 and b"ask an admin to unlock" in refused.data
    assert not logged_in(client)
    # Unknown accounts are throttled the same way, so a block tells nothing about existence.
    for _ in range(5):
        unknown = log_in(client, "nobody@example.com", "guess")
    assert unknown.status_code == 429 and b"for this account" in unknown.data


def test_the_block_ends_when_the_oldest_failure_is_fifteen_minutes_old(client, make_user):
    user = make_user("sales", password=PASSWORD)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            log_in(client, user.email, "guess")
        clock.shift(dt.timedelta(minutes=14, seconds=50))
        page = log_in(client, user.email, PASSWORD)
        assert page.status_code == 429 and b"Try again in 1 minute " in page.data
        clock.shift(dt.timedelta(seconds=11))
        assert log_in(client, user.email, PASSWORD).status_code == 302
        assert logged_in(client)


def test_a_successful_login_clears_the_account_count(client, make_user):
    user = make_user("sales", password=PASSWORD)
    for _ in range(4):
        log_in(client, user.email, "guess")
    assert log_in(client, user.email, PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(4):
        log_in(client, user.email, "guess")
    assert log_in(client, user.email, PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_throttled(app, client, make_user):
    victim = make_user("sales", password=PASSWORD)
    for number in range(30):
        log_in(client, f"user{number}@example.com", "guess", address="192.0.2.7")
    page = log_in(client, victim.email, PASSWORD, address="192.0.2.7")
    assert page.status_code == 429 and b"from your network address" in page.data
    # The account itself is not locked: from another address the right password works.
    assert (
        log_in(app.test_client(), victim.email, PASSWORD, address="198.51.100.1").status_code == 302
    )


def test_an_admin_sees_the_lock_and_unlocks_the_account(app, client, make_user, login_as):
    user = make_user("sales", password=PASSWORD)
    stranger = app.test_client()
    for _ in range(5):
        log_in(stranger, user.email, "guess")
    login_as("admin")
    page = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert "Locked: 5 failed logins" in page and "Unlock" in page
    assert client.get(f"/admin/users/{user.id}/unlock").status_code == 405
    done = client.post(f"/admin/users/{user.id}/unlock", follow_redirects=True)
    assert f"{user.email} may log in again." in done.get_data(as_text=True)
    assert "No failed logins in the last 15 minutes." in done.get_data(as_text=True)
    assert log_in(stranger, user.email, PASSWORD).status_code == 302


def test_only_admins_unlock_or_sign_out_others(client, make_user, login_as):
    user = make_user("sales", password=PASSWORD)
    login_as("manager")
    assert client.post(f"/admin/users/{user.id}/unlock").status_code == 403
    assert client.post(f"/admin/users/{user.id}/sign-out").status_code == 403


@pytest.fixture
def hash_checks(monkeypatch):
    """The password hashes core.auth checks, in order."""
    checked = []
    real = core.auth.check_password_hash

    def counting(stored, password):
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(core.auth, "check_password_hash", counting)
    return checked


def test_every_login_checks_exactly_one_hash_of_the_same_kind(client, make_user, hash_checks):
    """An unknown e-mail costs one scrypt check like a known one, so timing tells nothing."""
    user = make_user("sales", email="known@example.com", password=PASSWORD)
    make_user("sales", email="disabled@example.com", password=PASSWORD, active=False)
    cases = [
        ("known@example.com", "wrong"),
        ("unknown@example.com", "wrong"),
        ("disabled@example.com", PASSWORD),
        ("known@example.com", PASSWORD),
    ]
    for number, (email, password) in enumerate(cases, start=1):
        log_in(client, email, password, address=f"10.0.0.{number}")
    assert len(hash_checks) == 4
    method = user.password_hash.split("$")[0]  # e.g. scrypt:32768:8:1
    assert method.startswith("scrypt:") and all(h.split("$")[0] == method for h in hash_checks)
    assert logged_in(client)


def test_a_user_without_a_password_costs_one_hash_too(client, app, db, hash_checks):
    db.session.add(User(email="nopass@example.com", name="No Pass", role="sales"))
    db.session.commit()
    assert log_in(client, "nopass@example.com", "").status_code == 200
    log_in(client, "nopass@example.com", "anything")
    assert len(hash_checks) == 1  # the empty password never reached the check (form refuses it)


def saved_session(client):
    return client.get_cookie("session").value


def replay(app, cookie):
    """A new browser that presents a session cookie saved earlier."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def test_logout_ends_a_saved_copy_of_the_session(app, client, make_user):
    user = make_user("sales", password=PASSWORD)
    log_in(client, user.email, PASSWORD)
    cookie = saved_session(client)
    assert logged_in(replay(app, cookie))
    client.post("/logout")
    assert replay(app, cookie).get("/").status_code == 302  # to the login page


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(app, client, make_user, db):
    user = make_user("sales", password=PASSWORD)
    elsewhere = app.test_client()
    log_in(elsewhere, user.email, PASSWORD)
    log_in(client, user.email, PASSWORD)
    old_cookie = saved_session(elsewhere)
    page = client.post(
        "/profile",
        data={"current": PASSWORD, "new": "a-new-secret", "repeat": "a-new-secret"},
        follow_redirects=True,
    )
    assert "Your password is changed. Your other sessions are signed out." in page.get_data(
        as_text=True
    )
    assert logged_in(client)
    assert not logged_in(elsewhere) and not logged_in(replay(app, old_cookie))
    fresh = app.test_client()
    assert log_in(fresh, user.email, PASSWORD, address="10.9.9.9").status_code == 200
    assert log_in(fresh, user.email, "a-new-secret", address="10.9.9.9").status_code == 302


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"current": "wrong", "new": "a-new-secret", "repeat": "a-new-secret"},
            "This is not your current password.",
        ),
        (
            {"current": PASSWORD, "new": "a-new-secret", "repeat": "a-new-secreT"},
            "The two new passwords differ.",
        ),
        (
            {"current": PASSWORD, "new": "short", "repeat": "short"},
            "Use at least 8 characters (and at most 200).",
        ),
    ],
)
def test_a_wrong_password_change_changes_nothing(client, make_user, db, form, message):
    user = make_user("sales", password=PASSWORD)
    log_in(client, user.email, PASSWORD)
    before = user.password_hash
    page = client.post("/profile", data=form)
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == before and logged_in(client)


def test_guessing_the_current_password_on_the_profile_is_throttled(client, make_user, db):
    user = make_user("sales", password=PASSWORD)
    log_in(client, user.email, PASSWORD)
    for _ in range(5):
        page = client.post(
            "/profile", data={"current": "guess", "new": "a-new-secret", "repeat": "a-new-secret"}
        )
    assert b"Too many failed logins for this account" in page.data
    page = client.post(
        "/profile", data={"current": PASSWORD, "new": "a-new-secret", "repeat": "a-new-secret"}
    )
    assert b"Too many failed logins" in page.data
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_an_admin_signs_a_user_out_everywhere(app, client, make_user, login_as):
    user = make_user("sales", password=PASSWORD)
    theirs = app.test_client()
    log_in(theirs, user.email, PASSWORD)
    cookie = saved_session(theirs)
    login_as("admin")
    page = client.post(f"/admin/users/{user.id}/sign-out", follow_redirects=True)
    assert f"{user.email} is signed out everywhere." in page.get_data(as_text=True)
    assert not logged_in(theirs) and not logged_in(replay(app, cookie))
    assert log_in(app.test_client(), user.email, PASSWORD).status_code == 302  # may log in again


def test_an_admin_resets_a_password_and_the_old_sessions_end(app, client, make_user, login_as, db):
    user = make_user("sales", email="reset@example.com", name="Re Set", password=PASSWORD)
    theirs = app.test_client()
    log_in(theirs, user.email, PASSWORD)
    login_as("admin")
    page = client.post(
        f"/admin/users/{user.id}/edit",
        data={
            "email": user.email,
            "name": user.name,
            "role": "sales",
            "password": "temporary-pass",
            "active": "y",
        },
    )
    assert page.status_code == 302
    assert not logged_in(theirs)
    fresh = app.test_client()
    assert log_in(fresh, user.email, "temporary-pass", address="10.7.7.7").status_code == 302


def test_an_admin_changing_their_own_password_stays_logged_in(client, make_user, db):
    admin = make_user("admin", password=PASSWORD)
    log_in(client, admin.email, PASSWORD)
    page = client.post(
        f"/admin/users/{admin.id}/edit",
        data={
            "email": admin.email,
            "name": admin.name,
            "role": "admin",
            "password": "another-pass",
            "active": "y",
        },
    )
    assert page.status_code == 302 and logged_in(client)


def test_the_profile_page_links_from_every_page(client, login_as):
    login_as("support", name="Tobias Wagner")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/profile"' in page and "Tobias Wagner" in page
    profile = client.get("/profile").get_data(as_text=True)
    assert "Change your password" in profile and "Current password" in profile


def test_counts_are_kept_in_redis_when_configured(make_app, make_user):
    """Two web workers (apps) on one Redis share the count; each app's memory would not."""
    import redis

    url = "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    first = make_app(redis_url=url)
    assert type(first.extensions[throttle.EXTENSION].storage).__name__ == "RedisStorage"
    email = f"{uuid.uuid4().hex}@example.com"
    for _ in range(3):
        log_in(first.test_client(), email, "guess")
    second = make_app(redis_url=url)
    for _ in range(2):
        page = log_in(second.test_client(), email, "guess")
    assert page.status_code == 429
    with second.app_context():
        throttle.clear_account(email)
        assert throttle.failures(email) == 0


def test_without_redis_counts_are_in_memory(app):
    assert type(app.extensions[throttle.EXTENSION].storage).__name__ == "MemoryStorage"
    assert throttle.storage_uri("unix:///run/redis.sock") == "redis+unix:///run/redis.sock"
