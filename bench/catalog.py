"""The vocabulary the data generator draws from: categories, names, places and phone numbers."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from core.phones import normalize_phone


@dataclass(frozen=True)
class Category:
    """A product category: its typical margin, price range and whether it is sold by weight."""

    name: str
    margin: float
    price_range: tuple[float, float]
    by_weight: bool
    adjectives: tuple[str, ...]
    nouns: tuple[str, ...]


CATEGORIES = (
    Category(
        "Fresh produce",
        0.22,
        (0.5, 9),
        True,
        ("Organic", "Local", "Seasonal"),
        ("Apples", "Tomatoes", "Carrots", "Lettuce", "Pears", "Potatoes"),
    ),
    Category(
        "Dairy",
        0.28,
        (0.8, 14),
        False,
        ("Fresh", "Aged", "Alpine"),
        ("Milk", "Butter", "Gouda", "Yoghurt", "Cream", "Emmental"),
    ),
    Category(
        "Bakery",
        0.45,
        (1, 16),
        False,
        ("Sourdough", "Rye", "Spelt"),
        ("Bread", "Rolls", "Pretzels", "Cake", "Croissants"),
    ),
    Category(
        "Meat & fish",
        0.25,
        (5, 60),
        True,
        ("Smoked", "Free-range", "Wild"),
        ("Salmon", "Ham", "Beef", "Chicken", "Trout"),
    ),
    Category(
        "Wine",
        0.38,
        (6, 80),
        False,
        ("Riesling", "Pinot", "Rioja", "Chianti"),
        ("Reserve", "Classic", "Magnum", "Selection"),
    ),
    Category(
        "Spirits",
        0.33,
        (15, 120),
        False,
        ("Single malt", "Dry", "Spiced"),
        ("Whisky", "Gin", "Rum", "Brandy"),
    ),
    Category(
        "Coffee & tea",
        0.50,
        (4, 40),
        False,
        ("Fair-trade", "Dark", "Green"),
        ("Espresso", "Beans", "Darjeeling", "Sencha"),
    ),
    Category(
        "Gourmet",
        0.55,
        (5, 90),
        False,
        ("Truffle", "Saffron", "Aged"),
        ("Oil", "Vinegar", "Pesto", "Chutney", "Chocolate"),
    ),
    Category(
        "Household",
        0.18,
        (1, 30),
        False,
        ("Eco", "Bulk", "Compact"),
        ("Napkins", "Detergent", "Foil", "Sponges"),
    ),
    Category(
        "Catering equipment",
        0.30,
        (20, 900),
        False,
        ("Steel", "Professional", "Compact"),
        ("Chafing dish", "Blender", "Knife set", "Urn"),
    ),
    Category(
        "Frozen",
        0.27,
        (2, 25),
        False,
        ("Quick", "Family", "Deep-frozen"),
        ("Pizza", "Peas", "Berries", "Spinach"),
    ),
    Category(
        "Beverages",
        0.35,
        (0.6, 12),
        False,
        ("Sparkling", "Still", "Craft"),
        ("Water", "Lemonade", "Juice", "Beer"),
    ),
)

#: Country → region → (cities, landline templates); "{n}" is n random digits.
PLACES: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "DE": {
        "Berlin": (("Berlin",), ("030 {7}",)),
        "Bayern": (("München", "Nürnberg", "Augsburg"), ("089 {8}",)),
        "Hamburg": (("Hamburg",), ("040 {8}",)),
        "Nordrhein-Westfalen": (("Köln", "Düsseldorf", "Dortmund"), ("0221 {7}",)),
        "Hessen": (("Frankfurt am Main", "Wiesbaden"), ()),
        "Baden-Württemberg": (("Stuttgart", "Karlsruhe", "Freiburg"), ()),
        "Sachsen": (("Leipzig", "Dresden"), ()),
        "Niedersachsen": (("Hannover", "Braunschweig"), ()),
    },
    "AT": {
        "Wien": (("Wien",), ()),
        "Salzburg": (("Salzburg",), ("0662 {6}",)),
        "Tirol": (("Innsbruck",), ("0512 {6}",)),
        "Steiermark": (("Graz",), ("0316 {6}",)),
    },
    "CH": {
        "Zürich": (("Zürich", "Winterthur"), ("044 {7}",)),
        "Bern": (("Bern",), ("031 {7}",)),
    },
    "NL": {
        "Noord-Holland": (("Amsterdam", "Haarlem"), ("020 {7}",)),
        "Utrecht": (("Utrecht",), ("030 {7}",)),
        "Zuid-Holland": (("Rotterdam",), ("010 {7}",)),
    },
    "FR": {
        "Île-de-France": (("Paris",), ("01 {8}",)),
        "Auvergne-Rhône-Alpes": (("Lyon", "Grenoble"), ("04 7{7}",)),
        "Grand Est": (("Strasbourg", "Reims"), ("03 2{7}",)),
    },
    "GB": {
        "London": (("London",), ("020 7{7}",)),
        "North West": (("Manchester",), ("0161 {7}",)),
    },
}
MOBILES = {
    "DE": ("0151 {8}", "0170 {7}", "0176 {8}"),
    "AT": ("0664 {7}", "0676 {7}"),
    "CH": ("079 {7}",),
    "NL": ("06 1{7}", "06 2{7}"),
    "FR": ("06 1{7}", "07 5{7}"),
    "GB": ("07911 1{5}", "07400 1{5}"),
}
CALLING_CODES = {"DE": "49", "AT": "43", "CH": "41", "NL": "31", "FR": "33", "GB": "44"}
COUNTRY_WEIGHTS = {"DE": 70, "AT": 10, "CH": 8, "NL": 5, "FR": 4, "GB": 3}
CHANNELS = ("web", "referral", "fair", "phone", "partner", "social")
CHANNEL_WEIGHTS = (35, 20, 10, 15, 10, 10)

FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannah", "Ida", "Jonas",
    "Karl", "Lena", "Mia", "Noah", "Olga", "Paul", "Quentin", "Rosa", "Sophie", "Tim",
    "Ulla", "Vera", "Willem", "Xaver", "Yusuf", "Zoe", "Jürgen", "Élise", "Sören", "Chloé",
    "Lukas", "Marie", "Finn", "Lea", "Elias", "Amelie", "Leon", "Johanna", "Moritz", "Nora",
)  # fmt: skip
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
    "Werner", "Krause", "Meier", "Lehmann", "Huber", "Mayer", "de Vries", "Jansen", "Dubois",
    "Martin", "Bernard", "Smith", "Jones", "Taylor", "Brown", "Gruber", "Bauer", "Steiner",
)  # fmt: skip
COMPANY_KINDS = (
    "GmbH", "Catering", "Feinkost", "Hotel", "Restaurant", "Kantine", "Bistro", "& Söhne",
)  # fmt: skip
ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "É": "E"})
DIGITS = re.compile(r"\{(\d)\}")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (earlier when negative), clamped to the month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, candidate)
        except ValueError:
            continue
    raise ValueError(day)


def region_owners(rng: random.Random, salespeople: list[int]) -> dict[str, int]:
    """Each region's usual account manager (territories)."""
    regions = [region for places in PLACES.values() for region in places]
    return {region: salespeople[index % len(salespeople)] for index, region in enumerate(regions)}


@dataclass(frozen=True)
class Person:
    """One generated customer's descriptive fields."""

    name: str
    company: str
    email: str
    phone: str
    phone_normalized: str
    country: str
    region: str
    city: str
    channel: str
    birthday: dt.date | None
    tags: str
    created_at: dt.datetime


def _digits(rng: random.Random, template: str) -> str:
    """A national-format number from a template such as "030 {7}"."""
    return DIGITS.sub(
        lambda match: "".join(str(rng.randint(0, 9)) for _ in range(int(match.group(1)))),
        template,
    )


def phone(rng: random.Random, country: str, landlines: tuple[str, ...]) -> str:
    """A valid number as people type it: national, +international or 00-international."""
    templates = landlines + MOBILES[country]
    national = _digits(rng, rng.choice(templates))
    style = rng.random()
    if style < 0.55:
        return national
    if style < 0.85:
        return f"+{CALLING_CODES[country]} {national[1:]}"
    if style < 0.95:
        return f"00{CALLING_CODES[country]} {national[1:]}"
    return national.replace(" ", "-", 1)


def person(rng: random.Random, number: int, end_date: dt.date, first_day: dt.date) -> Person:
    """A customer, sometimes with a company, somewhere in PLACES, created on or before first_day."""
    country = rng.choices(list(COUNTRY_WEIGHTS), weights=list(COUNTRY_WEIGHTS.values()))[0]
    region = rng.choice(list(PLACES[country]))
    cities, landlines = PLACES[country][region]
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    company = f"{last} {rng.choice(COMPANY_KINDS)}" if rng.random() < 0.35 else ""
    local = f"{first}.{last}".lower().translate(ASCII).replace(" ", "")
    email = f"{local}{number}@{'example.com' if not company else 'example.org'}"
    typed = phone(rng, country, landlines) if rng.random() < 0.95 else ""
    tags = [
        tag
        for tag, share in (
            ("vip", 0.08),
            ("wholesale", 0.15 if company else 0.02),
            ("newsletter", 0.1),
        )
        if rng.random() < share
    ]
    birthday = None
    if rng.random() < 0.7:
        birthday = end_date - dt.timedelta(days=rng.randint(18 * 365, 85 * 365))
    created = dt.datetime.combine(
        first_day - dt.timedelta(days=rng.randint(0, 2 * 365)), dt.time(rng.randint(8, 19))
    )
    return Person(
        name=f"{first} {last}",
        company=company,
        email=email,
        phone=typed,
        phone_normalized=normalize_phone(typed, country) if typed else "",
        country=country,
        region=region,
        city=rng.choice(cities),
        channel=rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0],
        birthday=birthday,
        tags=",".join(tags),
        created_at=created,
    )
