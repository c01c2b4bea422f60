"""Likely duplicates by a close name in the same city, and the warning when one is made by hand.

Names are compared folded (no case, no accents), by their words in alphabetical order, with
difflib's ratio 2 × matching characters / both lengths, at least 0.9 (CLOSE_NAME_RATIO).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.merging import (
    close_names,
    duplicate_groups,
    duplicate_keys,
    likely_duplicates_of,
    name_key,
)
from core.models import Customer


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Léna Hüber", "lena huber"),  # accents and case: the same key
        ("Smith, Jon", "jon SMITH"),  # word order and punctuation
        ("Jon Smith", "John Smith"),  # 2 × 9 / 19 = 0.947
        ("Lena Huber", "Lena Hyber"),  # 2 × 9 / 20 = 0.900, just close
        ("Marie Dubois", "Mari Dubois"),  # 2 × 11 / 23 = 0.957
        ("Anna Becker", "Hanna Becker"),  # in order: 2 × 11 / 23 = 0.957
        ("Peter Schmidt", "Petra Schmidt"),  # 2 × 12 / 26 = 0.923: shown, a person decides
        ("Søren Østergaard", "Soren Ostergaard"),
    ],
)
def test_close_names(first, second):
    assert close_names(first, second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Li Wei", "Li Wen"),  # 2 × 5 / 12 = 0.833
        ("Paul Miller", "Peter Miller"),  # "miller paul" / "miller peter": 0.696
        ("Ada Lovelace", "Ada Byron"),  # 0.476
        ("王伟", "王纬"),  # two characters, one differs: 0.5
        ("", "Ada"),  # no name is close to nothing
    ],
)
def test_names_that_are_not_close(first, second):
    assert not close_names(first, second)


def test_name_key_folds_sorts_and_drops_punctuation():
    assert name_key("  Hüber,   Léna ") == "huber lena"
    assert name_key("Smith & Sons, Ltd.") == "ltd smith sons"


def test_the_duplicates_list_groups_close_names_per_city(db, make_customer):
    jon = make_customer(name="Jon Smith", city="London")
    john = make_customer(name="John Smith", city="london")
    johnny = make_customer(name="Johnn Smith", city="London")  # close to John: same group
    make_customer(name="John Smith", city="Leeds")  # another city
    make_customer(name="Li Wei", city="London")
    make_customer(name="Li Wen", city="London")
    same = make_customer(name="Ada Lovelace", city="Berlin")
    same_again = make_customer(name="ADA LOVELACE", city="BERLIN")
    groups = [(g.kind, g.key, g.customer_ids) for g in duplicate_groups(duplicate_keys())]
    # Ada twice in any case is a name_city group, and not a second time a close_name one.
    assert groups == [
        ("name_city", "ada lovelace · berlin", (same.id, same_again.id)),
        ("close_name", "London", (jon.id, john.id, johnny.id)),
    ]


def test_likely_duplicates_of_one_customer(db, make_customer):
    ada = make_customer(name="Ada Lovelace", email="ada@example.com", phone="", city="Berlin")
    phone = make_customer(name="Someone", email="", phone="+49 30 947248", city="Hamburg")
    close = make_customer(name="Ada Lovelac", email="", city="berlin")
    make_customer(name="Ada Lovelac", email="", city="Paris")
    new = make_customer(
        name="Lovelace, Ada", email="ADA@example.com", phone="030 947248", country="DE",
        city="Berlin",
    )  # fmt: skip
    found = [(item.customer.id, item.kind) for item in likely_duplicates_of(new)]
    assert found == [(ada.id, "email"), (phone.id, "phone"), (close.id, "close_name")]
    assert [(item.customer.id, item.kind) for item in likely_duplicates_of(phone)] == [
        (new.id, "phone")
    ]


def test_a_customer_made_by_hand_is_flagged_after_saving(db, client, login_as, make_customer):
    old = make_customer(name="Jon Smith", email="jon@example.com", city="London")
    login_as("sales")
    response = client.post(
        "/customers/new",
        data={"name": "John Smith", "email": "", "city": "London", "owner_id": "0"},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Customer John Smith created." in text
    assert (
        f"This may be a customer you already have: Jon Smith (no. {old.id}, a close name in "
        "the same city)." in text
    )
    new = db.session.scalar(select(Customer).where(Customer.name == "John Smith"))
    login_as("admin")
    page = client.get("/data/duplicates").get_data(as_text=True)
    assert "Close names in the same city: <strong>London</strong>" in page
    assert f'href="/data/merge?keep={old.id}&amp;merge={new.id}"' in page


def test_a_customer_unlike_any_other_gets_no_warning(db, client, login_as, make_customer):
    make_customer(name="Jon Smith", email="jon@example.com", city="London")
    login_as("sales")
    text = client.post(
        "/customers/new",
        data={"name": "Li Wei", "email": "li@example.com", "city": "London", "owner_id": "0"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Customer Li Wei created." in text
    assert "This may be a customer you already have" not in text
