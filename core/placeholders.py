"""Placeholders in the messages plugins send (campaigns, greetings): one syntax, checked once.

A placeholder is a name in double braces, ``{{ first_name }}`` (spaces inside optional).
Texts are filled by plain substitution, never run as a template language, so a message can
do nothing but insert the values it was given. Each kind of message has its list of known
placeholders (a name → what it is); the customer's own ones (``CUSTOMER_PLACEHOLDERS``)
mean the same in every message. A text is checked when it is saved: an unknown name, a
name in single braces (``{first_name}``) or braces that do not close are refused with a
message that lists the known placeholders, so no mail goes out with a placeholder in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from core.i18n import _, _l
from core.models import Customer

#: {{ name }} with a name a placeholder may have.
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
#: Anything in double braces (to report what is not a placeholder name).
_DOUBLE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
#: {name} in single braces: the way a placeholder is NOT written.
_SINGLE = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")

#: The placeholders every message to a customer offers, with the same meaning everywhere.
CUSTOMER_PLACEHOLDERS: dict[str, Any] = {
    "name": _l("the customer's name"),
    "first_name": _l("the first word of the customer's name"),
    "company": _l("the customer's company"),
    "city": _l("the customer's city"),
    "country": _l("the customer's country code"),
    "email": _l("the customer's e-mail address"),
    "our_company": _l("your company's name ([clientele] company)"),
}


class PlaceholderError(ValueError):
    """A text has placeholders that cannot be filled; the message lists the known ones."""


def written(name: str) -> str:
    """How a placeholder is written in a text: first_name → "{{ first_name }}"."""
    return "{{ " + name + " }}"


def listing(known: Mapping[str, str] | tuple[str, ...] | list[str]) -> str:
    """The known placeholders as a person types them: "{{ name }}, {{ first_name }}"."""
    return ", ".join(written(name) for name in known)


def problems(text: str, known: Mapping[str, str] | tuple[str, ...] | list[str]) -> list[str]:
    """What is wrong with the placeholders of a text (empty when it can be filled)."""
    found: list[str] = []
    unknown: list[str] = []
    for match in _DOUBLE.finditer(text):
        inside = match.group(1).strip()
        if not PLACEHOLDER.fullmatch(match.group(0)):
            found.append(_("%(text)s is not a placeholder.", text=match.group(0)))
        elif inside not in known and inside not in unknown:
            unknown.append(inside)
    if unknown:
        names = ", ".join(written(name) for name in unknown)
        found.append(_("Unknown placeholder %(names)s.", names=names))
    rest = _DOUBLE.sub("", text)
    single = sorted(set(_SINGLE.findall(rest)))
    if single:
        names = ", ".join("{" + name + "}" for name in single)
        found.append(
            _("Write placeholders in double braces: %(names)s is not filled in.", names=names)
        )
        rest = _SINGLE.sub("", rest)
    if "{{" in rest or "}}" in rest:
        found.append(_("A {{ has no matching }}."))
    if found:
        found.append(_("Known placeholders: %(names)s.", names=listing(known)))
    return found


def check(text: str, known: Mapping[str, str] | tuple[str, ...] | list[str]) -> None:
    """Raise PlaceholderError (all problems in one message) unless the text can be filled."""
    found = problems(text, known)
    if found:
        raise PlaceholderError(" ".join(found))


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace each {{ name }} with its value; PlaceholderError when a name has no value."""
    missing = sorted({name for name in PLACEHOLDER.findall(text) if name not in values})
    if missing:
        raise PlaceholderError(
            _(
                "No value for %(names)s. Known placeholders: %(known)s.",
                names=", ".join(written(name) for name in missing),
                known=listing(values),
            )
        )
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def customer_values(customer: Customer, our_company: str) -> dict[str, str]:
    """The values of CUSTOMER_PLACEHOLDERS for one customer."""
    name = (customer.name or "").strip()
    return {
        "name": name,
        "first_name": name.split()[0] if name else "",
        "company": customer.company or "",
        "city": customer.city or "",
        "country": customer.country or "",
        "email": customer.email or "",
        "our_company": our_company,
    }
