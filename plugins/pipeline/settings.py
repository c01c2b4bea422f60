"""The [plugins.pipeline] settings: the stages, the lost reasons, the follow-up and pool rules.

``stages`` seeds the stage records the first time the plugin runs (an admin edits them
afterwards on the stages page, /pipeline/stages, with plugins/pipeline/stages.py); current()
is the one typed way to read the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from core.plugins import Setting, SettingError, settings_of

PLUGIN = "pipeline"
KINDS = ("open", "won", "lost")
STAGE_KEYS = ("name", "probability", "kind")

#: The config example of DESIGN.md section 5.
DEFAULT_STAGES: list[dict[str, Any]] = [
    {"name": "Prospecting", "probability": "0.10"},
    {"name": "Engaging", "probability": "0.40"},
    {"name": "Won", "kind": "won"},
    {"name": "Lost", "kind": "lost"},
]

DEFAULT_LOST_REASONS = ["Price", "Chose a competitor", "No budget", "No answer", "Order cancelled"]

#: The reason a deal is lost with when every order made from it was cancelled.
ORDER_CANCELLED = "Order cancelled"


@dataclass(frozen=True)
class StageConfig:
    """One checked stage table: name, default probability (a fraction) and kind."""

    name: str
    probability: Decimal
    kind: str


def _probability(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise SettingError(f"probability is a fraction from 0 to 1, got {value!r}", path=path)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise SettingError(
            f"probability is a fraction from 0 to 1, got {value!r}", path=path
        ) from None
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(1):
        raise SettingError(f"probability is a fraction from 0 to 1, got {value!r}", path=path)
    if number != number.quantize(Decimal("0.0001")):
        raise SettingError("probability has at most four decimal places", path=path)
    return number


def check_stages(value: list[Any]) -> list[StageConfig]:
    """Ordered stage tables; kind open (default), won or lost; exactly one won and one lost."""
    stages: list[StageConfig] = []
    names: set[str] = set()
    for index, table in enumerate(value):
        where = f"[{index}]"
        if not isinstance(table, dict):
            raise SettingError(
                'each stage is a table, e.g. { name = "Engaging", probability = 0.40 }',
                path=where,
            )
        for key in table:
            if key not in STAGE_KEYS:
                raise SettingError(
                    f"unknown key '{key}' (a stage has {', '.join(STAGE_KEYS)})",
                    path=f"{where}.{key}",
                )
        name = table.get("name")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 60:
            raise SettingError("name is a text of 1 to 60 characters", path=f"{where}.name")
        name = name.strip()
        if name.casefold() in names:
            raise SettingError(f'"{name}" is listed twice', path=f"{where}.name")
        names.add(name.casefold())
        kind = table.get("kind", "open")
        if kind not in KINDS:
            raise SettingError(
                f"kind is one of {', '.join(KINDS)}, got {kind!r}", path=f"{where}.kind"
            )
        default = {"open": None, "won": 1, "lost": 0}[kind]
        raw = table.get("probability", default)
        if raw is None:
            raise SettingError(
                "an open stage needs a probability (a fraction from 0 to 1)",
                path=f"{where}.probability",
            )
        probability = _probability(raw, f"{where}.probability")
        stages.append(StageConfig(name, probability, kind))
    for kind in ("won", "lost"):
        count = sum(1 for stage in stages if stage.kind == kind)
        if count != 1:
            raise SettingError(f'exactly one stage has kind = "{kind}", found {count}')
    if not any(stage.kind == "open" for stage in stages):
        raise SettingError('at least one stage has kind = "open"')
    return stages


def check_reasons(value: list[Any]) -> list[str]:
    """Lost reasons: distinct texts of 1 to 100 characters."""
    reasons: list[str] = []
    for index, reason in enumerate(value):
        if not isinstance(reason, str) or not reason.strip() or len(reason.strip()) > 100:
            raise SettingError("a lost reason is a text of 1 to 100 characters", path=f"[{index}]")
        if reason.strip().casefold() in {known.casefold() for known in reasons}:
            raise SettingError(f'"{reason.strip()}" is listed twice', path=f"[{index}]")
        reasons.append(reason.strip())
    return reasons


def _positive(value: int) -> int:
    if value < 1:
        raise SettingError(f"expected a whole number of 1 or more, got {value}")
    return value


def _not_negative(value: int) -> int:
    if value < 0:
        raise SettingError(f"expected a whole number of 0 or more, got {value}")
    return value


SETTINGS = [
    Setting(
        "stages",
        list,
        DEFAULT_STAGES,
        'ordered tables {name, probability, kind}; kind is "open" (default), "won" or "lost"; '
        "exactly one won and one lost stage",
        check=check_stages,
    ),
    Setting(
        "lost_reasons",
        list,
        DEFAULT_LOST_REASONS,
        "the reasons a deal can be lost for; an import adds the ones it meets",
        check=check_reasons,
    ),
    Setting(
        "forgotten_days",
        int,
        14,
        'a customer or open deal with no follow-up for this many days is on the "forgotten" list',
        check=_positive,
    ),
    Setting(
        "pool_after_days",
        int,
        0,
        "customers and deals with no follow-up for this many days go back to the pool (0: no pool)",
        check=_not_negative,
    ),
    Setting(
        "max_owned",
        int,
        0,
        "most open deals a salesperson may hold when claiming from the pool (0: no limit)",
        check=_not_negative,
    ),
    Setting(
        "claim_cooldown_days",
        int,
        7,
        "days before the previous owner may claim a released deal again",
        check=_not_negative,
    ),
    Setting("board_page_size", int, 20, "cards per column on the board", check=_positive),
]


@dataclass(frozen=True)
class PipelineSettings:
    """The checked [plugins.pipeline] table."""

    stages: tuple[StageConfig, ...]
    lost_reasons: tuple[str, ...]
    forgotten_days: int
    pool_after_days: int
    max_owned: int
    claim_cooldown_days: int
    board_page_size: int


def current() -> PipelineSettings:
    """The current app's pipeline settings (validated against SETTINGS at start-up)."""
    raw = settings_of(PLUGIN)
    return PipelineSettings(
        stages=tuple(raw["stages"]),
        lost_reasons=tuple(raw["lost_reasons"]),
        forgotten_days=raw["forgotten_days"],
        pool_after_days=raw["pool_after_days"],
        max_owned=raw["max_owned"],
        claim_cooldown_days=raw["claim_cooldown_days"],
        board_page_size=raw["board_page_size"],
    )
