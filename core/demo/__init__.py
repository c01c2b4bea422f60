"""`clientele demo`: a believable company, the same for the same seed, then each plugin's demo data.

    written = fill_database(DemoOptions(seed=7), today=dates.today())
    db.session.commit()

The plan (core.demo.plan) is pure generation from the seed; core.demo.writing writes it
through core.customers and core.orders, so every plugin's hooks run as in the app; then
each enabled plugin's seed_demo(session, rng) is called in dependency order.

What the company is drawn from follows the company's ``[clientele].language``: Chinese
(zh_CN) gives the Shanghai fresh-food supplier of core.demo.chinese, every other language
the German-speaking wholesaler of core.demo.data (see material_for).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from werkzeug.security import generate_password_hash

from core.db import db, refresh_planner_statistics
from core.demo.material import GERMAN, Material
from core.demo.plan import Plan, make_plan
from core.demo.writing import Written, write_plan
from core.i18n import company_language
from core.importing.base import Progress
from core.plugins import PluginError, call_each, plugin_system

__all__ = [
    "DEMO_PASSWORD",
    "DemoOptions",
    "Material",
    "Plan",
    "Written",
    "fill_database",
    "make_plan",
    "material_for",
    "seed_plugins",
]

#: The password of every demo user (printed by the command; the admin keeps theirs).
DEMO_PASSWORD = "demo-password"


@dataclass(frozen=True)
class DemoOptions:
    """How big the demo company is and which seed draws it."""

    customers: int = 300
    orders: int = 1000
    seed: int = 7


def material_for(language: str) -> Material:
    """The demo material for a company language: Chinese for "zh_CN" (and "zh"), else German."""
    if language.replace("-", "_") in ("zh", "zh_CN", "zh_Hans", "zh_Hans_CN"):
        from core.demo.chinese import CHINESE

        return CHINESE
    return GERMAN


def fill_database(
    options: DemoOptions, today: dt.date, progress: Progress | None = None
) -> Written:
    """Write the demo company for options ending today, then the plugins' demo data; nothing is committed.

    The company's language chooses the material (material_for).

    The planner statistics are refreshed at the end, inside the same transaction: PostgreSQL's
    ANALYZE counts the rows its own transaction wrote, so the first pages after a demo (and
    tests that read a demo they never commit) get index plans, not guesses made for empty
    tables (a recommendation query guessed that way took minutes on 600 orders).
    """
    material = material_for(company_language())
    plan = make_plan(options.seed, options.customers, options.orders, today, material)
    written = write_plan(plan, generate_password_hash(DEMO_PASSWORD), progress)
    seed_plugins(random.Random(f"clientele-demo-plugins:{options.seed}"))
    db.session.flush()
    refresh_planner_statistics()
    return written


def seed_plugins(rng: random.Random) -> list[str]:
    """Call every enabled plugin's seed_demo in dependency order; returns the plugins called.

    A plugin that raises stops the demo with a PluginError naming it (the caller rolls back).
    """
    pm = plugin_system().pm
    names = [
        impl.plugin_name
        for impl in reversed(pm.hook.seed_demo.get_hookimpls())
        if not (impl.hookwrapper or impl.wrapper)
    ]
    results = call_each(pm, "seed_demo", session=db.session, rng=rng)
    called: list[str] = []
    for name in names:
        try:
            next(results)
        except StopIteration:
            break
        except Exception as error:
            raise PluginError(
                name, f"seed_demo failed: {type(error).__name__}: {error}", "Nothing was saved."
            ) from error
        called.append(name)
    return called
