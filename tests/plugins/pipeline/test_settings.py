"""The [plugins.pipeline] stages table: kinds, defaults and errors that name the key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.plugins import PluginError
from plugins.pipeline import settings as pipeline_settings
from plugins.pipeline import stages


def test_check_plugin(check_plugin):
    check_plugin("pipeline")


def test_default_stages_are_seeded_in_order(app, db):
    seeded = stages.all_stages()
    assert [(s.name, s.probability, s.kind) for s in seeded] == [
        ("Prospecting", Decimal("0.1000"), "open"),
        ("Engaging", Decimal("0.4000"), "open"),
        ("Won", Decimal("1.0000"), "won"),
        ("Lost", Decimal("0.0000"), "lost"),
    ]
    assert "Order cancelled" in [reason.name for reason in stages.lost_reasons()]


def test_kind_defaults_to_open(make_app):
    make_app(
        plugins=["pipeline"],
        settings={
            "pipeline": {
                "stages": [
                    {"name": "Lead", "probability": Decimal("0.05")},
                    {"name": "Done", "kind": "won"},
                    {"name": "Gone", "kind": "lost"},
                ]
            }
        },
    )
    config = pipeline_settings.current()
    assert [(s.name, s.kind, s.probability) for s in config.stages] == [
        ("Lead", "open", Decimal("0.05")),
        ("Done", "won", Decimal("1")),
        ("Gone", "lost", Decimal("0")),
    ]


@pytest.mark.parametrize(
    ("stages_table", "message"),
    [
        (
            [{"name": "A", "probability": 0.1}, {"name": "W", "kind": "winning"}],
            "[plugins.pipeline].stages[1].kind: kind is one of open, won, lost",
        ),
        (
            [{"name": "A", "probability": 0.1}, {"name": "L", "kind": "lost"}],
            'exactly one stage has kind = "won", found 0',
        ),
        (
            [
                {"name": "A", "probability": 0.1},
                {"name": "W", "kind": "won"},
                {"name": "W2", "kind": "won"},
                {"name": "L", "kind": "lost"},
            ],
            'exactly one stage has kind = "won", found 2',
        ),
        (
            [{"name": "A"}, {"name": "W", "kind": "won"}, {"name": "L", "kind": "lost"}],
            "[plugins.pipeline].stages[0].probability: an open stage needs a probability",
        ),
        (
            [
                {"name": "A", "probability": 1.5},
                {"name": "W", "kind": "won"},
                {"name": "L", "kind": "lost"},
            ],
            "[plugins.pipeline].stages[0].probability: probability is a fraction from 0 to 1",
        ),
        (
            [
                {"name": "A", "probability": 0.1, "colour": "red"},
                {"name": "W", "kind": "won"},
                {"name": "L", "kind": "lost"},
            ],
            "[plugins.pipeline].stages[0].colour: unknown key 'colour'",
        ),
        (
            [
                {"name": "A", "probability": 0.1},
                {"name": "a", "probability": 0.2},
                {"name": "W", "kind": "won"},
                {"name": "L", "kind": "lost"},
            ],
            '[plugins.pipeline].stages[1].name: "a" is listed twice',
        ),
        (["Prospecting"], "[plugins.pipeline].stages[0]: each stage is a table"),
    ],
)
def test_bad_stage_tables_name_the_key(make_app, stages_table, message):
    with pytest.raises(PluginError) as caught:
        make_app(plugins=["pipeline"], settings={"pipeline": {"stages": stages_table}})
    assert message in str(caught.value)
