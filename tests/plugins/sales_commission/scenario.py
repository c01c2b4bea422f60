"""A small data set covering every case, with the statements worked out by hand.

Rules (the config example): base revenue, grading by line, tiers A ≥ 0.40 → 8 %,
B ≥ 0.20 → 5 %, C ≥ 0.00 → 2 %. Products: TRUF 100.00 / cost 50.00, OLIV 10.00 / 7.00,
FLOU 10.00 / 9.00, SAFF 20.00 / 21.00.

March 2026
  O1 Ann 03-05  TRUF 2 × 100.00      net 200.00 cost 100.00 margin 0.50   A  200.00 × 8 % = 16.00
                OLIV 3 × 10.00       net  30.00 cost  21.00 margin 0.30   B   30.00 × 5 % =  1.50
                FLOU 1 × 10.00       net  10.00 cost   9.00 margin 0.10   C   10.00 × 2 % =  0.20
  O2 Ann 03-12  TRUF 1 × 100.00 −25% net  75.00 cost  50.00 margin 0.333 B (the discount moves
                                     it down from A)                          75.00 × 5 % =  3.75
                SAFF 1 × 20.00       net  20.00 cost  21.00 sold below cost → 0.00
                OLIV 1 × 10.10       net  10.10 cost   7.00 margin 0.307  B  10.10 × 5 % = 0.505
                                     → 0.51 (half up; a float would give 0.50)
  O3 Ann 03-20, split Ann 50 % (first) / Ben 50 %:
                TRUF 1 × 99.99       net  99.99 cost  50.00 margin 0.49995 A 99.99 × 8 % = 7.9992
                                     → 8.00: Ben round(4.00) = 4.00, Ann 8.00 − 4.00 = 4.00;
                                     net Ben round(49.995) = 50.00, Ann 49.99; cost 25.00 each
                OLIV 1 × 10.10       B 0.51: Ben round(0.255) = 0.26, Ann 0.51 − 0.26 = 0.25
                                     (the remainder goes to the first); net 5.05 each, cost 3.50 each
  O4 Ben 03-08  OLIV 2 × 10.00       net 20.00 cost 14.00 B 1.00; refunded 03-25 (same month) −1.00
  O5 Ben 03-15  FLOU 5 × 10.00       net 50.00 cost 45.00 C 1.00; cancelled 04-02 → −1.00 in April

  March is approved for Ann and Ben on 2026-04-05. Then:
  - O1's TRUF line is refunded on 04-10: −16.00 on Ann's April statement (a clawback);
  - O2's OLIV line is refunded with date 03-28: March is approved, so −0.51 lands in April;
  - O6 Ann dated 03-30 is confirmed late: OLIV 1 × 10.00, B 0.50, lands in April;
  - O7 Ann 04-15: TRUF 1 × 100.00, A 8.00.

Statements
  March Ann  lines 8  net 400.14  cost 236.50  profit 163.64  commission 26.21  adjustments 0.00
             A 16.00 + 4.00 = 20.00; B 1.50 + 3.75 + 0.51 + 0.25 = 6.01; C 0.20
  March Ben  lines 5  net 50.00 + 5.05 + 20.00 − 20.00 + 50.00 = 105.05
             cost 25.00 + 3.50 + 14.00 − 14.00 + 45.00 = 73.50, profit 31.55
             commission 4.00 + 0.26 + 1.00 − 1.00 + 1.00 = 5.26; A 4.00, B 0.26, C 1.00
  April Ann  lines 4  net −200.00 − 10.10 + 10.00 + 100.00 = −100.10
             cost −100.00 − 7.00 + 7.00 + 50.00 = −50.00, profit −50.10
             commission −16.00 − 0.51 + 0.50 + 8.00 = −8.01; adjustments −16.01
             A −16.00 + 8.00 = −8.00; B −0.51 + 0.50 = −0.01; C 0.00
  April Ben  lines 1  net −50.00, cost −45.00, profit −5.00, commission −1.00 = adjustments; C −1.00
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import time_machine

from core import orders
from core.db import db
from core.models import Order, User

MARCH = "2026-03"
APRIL = "2026-04"


@dataclass
class Scenario:
    """The people and orders of the data set."""

    ann: User
    ben: User
    manager: User
    orders: dict[str, Order]


def day(text: str) -> dt.date:
    """2026-MM-DD from 'MM-DD'."""
    return dt.date.fromisoformat(f"2026-{text}")


def build(
    make_staff: Any, make_product: Any, make_order: Any, stop_after_march: bool = False
) -> Scenario:
    """Create the data set through the app's own services (hooks run as in production)."""
    from plugins.sales_commission import approval, splits
    from plugins.sales_commission.settings import current_rules

    ann = make_staff("sales", email="ann@example.com", name="Ann Archer")
    ben = make_staff("sales", email="ben@example.com", name="Ben Baker")
    manager = make_staff("manager", email="mia@example.com", name="Mia Manager")
    truffle = make_product("100.00", "50.00", sku="TRUF", name="Truffle oil")
    olive = make_product("10.00", "7.00", sku="OLIV", name="Olive oil")
    flour = make_product("10.00", "9.00", sku="FLOU", name="Flour")
    saffron = make_product("20.00", "21.00", sku="SAFF", name="Saffron")
    made = {
        "O1": make_order(
            salesperson=ann,
            lines=[(truffle, 2), (olive, 3), (flour, 1)],
            order_date=day("03-05"),
            number="O1",
        ),
        "O2": make_order(
            salesperson=ann,
            lines=[(truffle, 1, None, "0.25"), (saffron, 1), (olive, 1, "10.10")],
            order_date=day("03-12"),
            number="O2",
        ),
        "O3": make_order(
            salesperson=ann,
            lines=[(truffle, 1, "99.99"), (olive, 1, "10.10")],
            order_date=day("03-20"),
            number="O3",
        ),
        "O4": make_order(salesperson=ben, lines=[(olive, 2)], order_date=day("03-08"), number="O4"),
        "O5": make_order(salesperson=ben, lines=[(flour, 5)], order_date=day("03-15"), number="O5"),
    }
    splits.save_split(
        made["O3"],
        [splits.Share(ann, Decimal("50")), splits.Share(ben, Decimal("50"))],
        manager,
        current_rules(),
    )
    orders.refund(made["O4"], made["O4"].lines, on=day("03-25"))
    db.session.commit()
    if stop_after_march:
        return Scenario(ann, ben, manager, made)
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        orders.cancel(made["O5"])
        db.session.commit()
    approval.approve_period(MARCH, manager, day("04-05"))
    db.session.commit()
    orders.refund(made["O1"], [made["O1"].lines[0]], on=day("04-10"))
    orders.refund(made["O2"], [made["O2"].lines[2]], on=day("03-28"))
    db.session.commit()
    made["O6"] = make_order(
        salesperson=ann, lines=[(olive, 1)], order_date=day("03-30"), number="O6"
    )
    made["O7"] = make_order(
        salesperson=ann, lines=[(truffle, 1)], order_date=day("04-15"), number="O7"
    )
    return Scenario(ann, ben, manager, made)
