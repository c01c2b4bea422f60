"""Failed logins, throttled per account and per address (Flask-Limiter's storage and strategy).

Only failed logins count. Once an account has 5 failures within 15 minutes, or an address
30, logging in to that account or from that address is refused, even with the right
password, until the oldest failure is 15 minutes old; the page says when. A successful
login clears its account's count; an admin can clear it too (Unlock on the user's page).
Counts live in Redis when ``redis_url`` is set (shared by every web worker), otherwise in
the memory of each web process.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.strategies import RateLimiter

from core.dates import company_timezone

log = logging.getLogger("clientele.login")

#: Failed logins allowed per account, and per address, within the window.
ACCOUNT_LIMIT = parse("5 per 15 minutes")
ADDRESS_LIMIT = parse("30 per 15 minutes")
EXTENSION = "clientele.login_limiter"
NAMESPACE = "clientele-login"


@dataclass(frozen=True)
class Block:
    """Why logging in is refused now, and from when it may be tried again."""

    scope: str  # "account" or "address"
    retry_at: dt.datetime  # UTC, aware

    @property
    def clock(self) -> str:
        """The retry time as the company's clock shows it, e.g. "14:05"."""
        return self.retry_at.astimezone(company_timezone()).strftime("%H:%M")

    @property
    def minutes(self) -> int:
        """Whole minutes to wait, at least 1."""
        seconds = (self.retry_at - dt.datetime.now(dt.UTC)).total_seconds()
        return max(1, -(-int(seconds) // 60))


def storage_uri(redis_url: str) -> str:
    """The limits storage for the config: Redis when configured, else this process's memory."""
    if not redis_url:
        return "memory://"
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url


def init_app(app: Flask) -> None:
    """Give the app its login limiter (one per app, so test apps never share counts)."""
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=storage_uri(app.config["CLIENTELE"]["redis_url"]),
        strategy="moving-window",
        key_prefix="clientele",
    )
    app.extensions[EXTENSION] = limiter


def _strategy() -> RateLimiter:
    limiter: Limiter = current_app.extensions[EXTENSION]
    return limiter.limiter


def _keys(email: str, address: str) -> list[tuple[str, RateLimitItem, str]]:
    return [("account", ACCOUNT_LIMIT, email.strip().lower()), ("address", ADDRESS_LIMIT, address)]


def client_address() -> str:
    """The address the request came from (the proxy's X-Forwarded-For when https = true)."""
    return request.remote_addr or "unknown"


def blocked(email: str, address: str) -> Block | None:
    """The block in force for this account or address, or None. Storage errors let logins through."""
    try:
        strategy = _strategy()
        for scope, item, identity in _keys(email, address):
            if not strategy.test(item, NAMESPACE, scope, identity):
                reset = strategy.get_window_stats(item, NAMESPACE, scope, identity).reset_time
                return Block(scope, dt.datetime.fromtimestamp(reset, dt.UTC))
    except Exception:  # Redis down: log it; refusing every login would lock everyone out
        log.exception("login throttle storage failed; login not throttled")
    return None


def record_failure(email: str, address: str) -> Block | None:
    """Count a failed login for the account and the address; the block it causes, if any."""
    log.warning("failed login for %r from %s", email.strip().lower()[:254], address)
    try:
        strategy = _strategy()
        for scope, item, identity in _keys(email, address):
            strategy.hit(item, NAMESPACE, scope, identity)
    except Exception:
        log.exception("login throttle storage failed; failure not counted")
        return None
    return blocked(email, address)


def failures(email: str) -> int:
    """Failed logins of the account within the window."""
    try:
        stats = _strategy().get_window_stats(ACCOUNT_LIMIT, NAMESPACE, "account", email.lower())
    except Exception:
        log.exception("login throttle storage failed")
        return 0
    return ACCOUNT_LIMIT.amount - stats.remaining


def account_block(email: str) -> Block | None:
    """The block on the account alone (for the admin's user page)."""
    try:
        strategy = _strategy()
        if strategy.test(ACCOUNT_LIMIT, NAMESPACE, "account", email.lower()):
            return None
        reset = strategy.get_window_stats(ACCOUNT_LIMIT, NAMESPACE, "account", email.lower())
    except Exception:
        log.exception("login throttle storage failed")
        return None
    return Block("account", dt.datetime.fromtimestamp(reset.reset_time, dt.UTC))


def clear_account(email: str) -> None:
    """Forget the account's failed logins (after a successful login, or an admin's unlock)."""
    try:
        _strategy().clear(ACCOUNT_LIMIT, NAMESPACE, "account", email.strip().lower())
    except Exception:
        log.exception("login throttle storage failed; account not cleared")
