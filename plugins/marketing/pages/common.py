"""What the marketing pages share: the criteria of this request and reading a rule from a request."""

from __future__ import annotations

import re

from flask import g, request
from werkzeug.datastructures import MultiDict

from core.i18n import _
from plugins.marketing.jobs import current_catalog
from plugins.marketing.segments import Catalog, Condition, Rule, SegmentError, rule_from_json

ROW_FIELD = re.compile(r"^conditions-(\d+)-key$")


def catalog() -> Catalog:
    """The criteria on offer, asked for once per request."""
    if "marketing_catalog" not in g:
        g.marketing_catalog = current_catalog()
    result: Catalog = g.marketing_catalog
    return result


def rule_from_form(form: MultiDict[str, str]) -> Rule:
    """The rule typed in the builder: rows conditions-N-key / -value / -negate; rows without a key are ignored."""
    rows = sorted(int(match.group(1)) for name in form if (match := ROW_FIELD.match(name)))
    conditions = []
    for row in rows:
        key = form.get(f"conditions-{row}-key", "").strip()
        if not key:
            continue
        value = form.get(f"conditions-{row}-value", "").strip()
        negate = form.get(f"conditions-{row}-negate", "0") == "1"
        conditions.append(Condition(key, value, negate))
    combine = form.get("match", "all")
    if combine not in ("all", "any"):
        raise SegmentError([_("Choose whether all or any of the conditions must hold.")])
    return Rule(combine, tuple(conditions))


def rule_from_request() -> Rule:
    """The rule of a GET request: ?rule=<JSON>, or the builder's fields as query arguments."""
    if "rule" in request.args:
        return rule_from_json(request.args.get("rule", ""))
    return rule_from_form(request.args)
