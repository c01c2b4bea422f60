"""What a demo company is drawn from, and how its people, e-mails and phones are written.

A :class:`Material` bundles the fixed lists (staff, places, names, kinds of customer,
products, habits) with the few things that differ between countries: how a person's name
is put together, a company's name, an e-mail address, a phone number as people type it,
and the customers the README's tour opens. :data:`GERMAN` is the German-speaking wholesaler
of core.demo.data; core.demo.chinese has a Shanghai supplier. The company's
``[clientele].language`` chooses one (core.demo.material_for).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import phonenumbers

from core.demo import data
from core.demo.data import Category, Person, Place, SalesProfile

if TYPE_CHECKING:
    from decimal import Decimal

    from core.demo.plan import PlannedCustomer


@dataclass(frozen=True)
class Material:
    """The fixed material of a demo company (see core.demo.data for what each list holds)."""

    salespeople: tuple[Person, ...]
    other_staff: tuple[Person, ...]
    #: The staff's own language (None: they follow the company's).
    staff_language: str | None
    profiles: tuple[SalesProfile, ...]
    places: tuple[Place, ...]
    area_codes: dict[str, str]
    mobile_prefixes: dict[str, tuple[str, ...]]
    national_lengths: dict[tuple[str, bool], tuple[int, ...]]
    first_names: dict[str, list[str]]
    last_names: dict[str, list[str]]
    kinds: tuple[tuple[str, int, float, tuple[int, int]], ...]
    company_names: dict[str, dict[str, tuple[str, ...]]]
    kind_favourites: dict[str, dict[str, float]]
    channels: tuple[tuple[str, int], ...]
    categories: tuple[Category, ...]
    price_rise: tuple[tuple[str, Decimal, Decimal], ...]
    discontinued: tuple[str, ...]
    season: tuple[float, ...]
    weekdays: tuple[float, ...]
    #: Tags added at random: (tag, chance, only for these kinds of customer; empty = any).
    extra_tags: tuple[tuple[str, float, tuple[str, ...]], ...]
    #: The kind of customer that is a private person (no company, a mobile phone).
    private_kind: str
    #: Kinds of customer whose orders have two more lines.
    large_basket_kinds: tuple[str, ...]
    #: Products whose name holds this are sometimes sold with half a unit more.
    half_unit_marker: str

    def person_name(self, first: str, last: str) -> str:
        """ "Anna" and "Becker" → "Anna Becker"."""
        return f"{first} {last}"

    def company_name(
        self, rng: random.Random, pattern: str, first: str, last: str, city: str, taken: set[str]
    ) -> str:
        """A company name from one of the kind's patterns ({first}, {last}, {city}).

        taken holds the names given so far (the German names may repeat, as they did)."""
        return pattern.format(first=first, last=last, city=city)

    def email(self, rng: random.Random, first: str, last: str, company: str, used: set[str]) -> str:
        """first.last@example.com for people, first@company.example for businesses; never twice."""
        person = ascii_slug(f"{first} {last}", ".")
        if company:
            base = f"{ascii_slug(first, '.')}@{ascii_slug(company)}.example"
        else:
            base = f"{person}@{rng.choice(('example.com', 'example.net', 'example.org'))}"
        return unique_email(base, used)

    def phone(self, rng: random.Random, place: Place, city: str, kind: str) -> str:
        """A business's landline in its city, a private person's mobile, typed as people do."""
        return phone_number(self, rng, place.country, city, mobile=kind == self.private_kind)

    def tour(self, customers: list[PlannedCustomer], used: set[str], start: dt.date) -> None:
        """Make the README's customers: the busiest business in Berlin becomes Claudia Meyer, a
        customer of long standing, and the first Austrian customer has the README's mobile number."""
        berlin = [
            customer
            for customer in customers
            if customer.fields["city"] == "Berlin" and customer.kind != "private"
        ]
        if berlin and TOUR_CUSTOMER["email"] not in used:
            chosen = max(berlin, key=lambda customer: customer.weight)
            chosen.fields.update(TOUR_CUSTOMER, tags=",".join([chosen.kind, "vip"]))
            chosen.created_at = min(chosen.created_at, dt.datetime.combine(start, dt.time(9)))
            chosen.weight *= 2
        taken = {customer.fields["phone"] for customer in customers}
        austrian = [customer for customer in customers if customer.fields["country"] == "AT"]
        if austrian and TOUR_AUSTRIAN_PHONE not in taken:
            austrian[0].fields["phone"] = TOUR_AUSTRIAN_PHONE


#: The customer the README's tour opens (and finds by phone): the same in every demo.
TOUR_CUSTOMER = {
    "name": "Claudia Meyer",
    "company": "Feinkost Meyer",
    "email": "claudia.meyer@feinkost-meyer.example",
    "phone": "030 947248",
    "country": "DE",
    "region": "Berlin",
    "city": "Berlin",
    "marketing_opt_out": False,
}
#: The Austrian mobile number the README finds in its national form.
TOUR_AUSTRIAN_PHONE = "0676 6906781"


def ascii_slug(text: str, separator: str = "-") -> str:
    """ "Gasthaus Müller & Söhne" → "gasthaus-mueller-soehne" (for e-mail addresses)."""
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled).replace(umlaut.upper(), spelled.title())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", separator, text.lower()).strip(separator)


def unique_email(base: str, used: set[str]) -> str:
    """base, or base with 2, 3, ... before the @ when it is taken; the address is then taken."""
    email = base
    for number in itertools.count(2):
        if email not in used:
            break
        local, domain = base.split("@")
        email = f"{local}{number}@{domain}"
    used.add(email)
    return email


def valid_number(
    material: Material, rng: random.Random, country: str, prefix: str, mobile: bool
) -> phonenumbers.PhoneNumber:
    """A number in use after prefix (an area code or a mobile prefix, without the trunk 0).

    Subscriber digits (not starting with 0 or 1) are drawn until phonenumbers calls the
    number valid; the country's example number is the fallback.
    """
    kind = (
        phonenumbers.PhoneNumberType.MOBILE if mobile else phonenumbers.PhoneNumberType.FIXED_LINE
    )
    example = phonenumbers.example_number_for_type(country, kind)
    assert example is not None
    number = example
    for _ in range(40):
        length = rng.choice(material.national_lengths[country, mobile]) - len(prefix)
        subscriber = str(rng.randint(2, 9)) + "".join(
            str(rng.randrange(10)) for _ in range(length - 1)
        )
        candidate = phonenumbers.parse(f"+{example.country_code}{prefix}{subscriber}")
        if phonenumbers.is_valid_number(candidate):
            number = candidate
            break
    return number


def phone_number(
    material: Material, rng: random.Random, country: str, city: str, mobile: bool
) -> str:
    """A valid number of the city's area (or a mobile one), in the national or international form."""
    prefix = rng.choice(material.mobile_prefixes[country]) if mobile else material.area_codes[city]
    number = valid_number(material, rng, country, prefix, mobile)
    style = phonenumbers.PhoneNumberFormat.NATIONAL
    if rng.random() < 0.3:
        style = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


GERMAN = Material(
    salespeople=data.SALESPEOPLE,
    other_staff=data.OTHER_STAFF,
    staff_language=None,
    profiles=data.PROFILES,
    places=data.PLACES,
    area_codes=data.AREA_CODES,
    mobile_prefixes=data.MOBILE_PREFIXES,
    national_lengths=data.NATIONAL_LENGTHS,
    first_names=data.FIRST_NAMES,
    last_names=data.LAST_NAMES,
    kinds=data.KINDS,
    company_names=data.COMPANY_NAMES,
    kind_favourites=data.KIND_FAVOURITES,
    channels=data.CHANNELS,
    categories=data.CATEGORIES,
    price_rise=data.PRICE_RISE,
    discontinued=data.DISCONTINUED,
    season=data.SEASON,
    weekdays=data.WEEKDAYS,
    extra_tags=data.EXTRA_TAGS,
    private_kind="private",
    large_basket_kinds=("hotel",),
    half_unit_marker=" 1 kg",
)
