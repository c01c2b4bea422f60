"""Every test here runs with the sales_commission plugin enabled alone."""

import pytest

from core.db import db
from core.models import User


@pytest.fixture
def clientele_plugins():
    return ["sales_commission"]


@pytest.fixture
def make_staff(app):
    """make_staff(role, email=..., name=...) → a saved user without a password (hashing is slow).

    Tests log such users in with login_as(user), which needs no password.
    """
    counter = iter(range(1, 1_000_000))

    def factory(role="sales", email=None, name=None, **fields):
        number = next(counter)
        user = User(
            email=email or f"staff-{role}{number}@example.com",
            name=name or f"Staff {role.title()} {number}",
            role=role,
            **fields,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return factory
