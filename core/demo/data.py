"""The German demo company's fixed material: staff, places, names, products, habits.

A wholesaler of fine food in Germany, Austria, Switzerland, France and the Netherlands
(core.demo.material.GERMAN bundles these lists; core.demo.chinese has the Shanghai one).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Person:
    """A member of the demo staff."""

    name: str
    email: str
    role: str


@dataclass(frozen=True)
class SalesProfile:
    """How a salesperson sells: favourite categories and how often and how much they discount."""

    favourites: dict[str, float]
    discount_chance: float
    discounts: tuple[str, ...]


@dataclass(frozen=True)
class Place:
    """A region customers live in, the salesperson who covers it, and the language of its names."""

    country: str
    region: str
    cities: tuple[str, ...]
    weight: int
    salesperson: int
    language: str


@dataclass(frozen=True)
class Category:
    """A product category with its SKU prefix, the margin range of its products and its products."""

    name: str
    prefix: str
    margin: tuple[str, str]
    products: tuple[tuple[str, str], ...]


SALESPEOPLE = (
    Person("Anna Becker", "anna.becker@acme.example", "sales"),
    Person("Jonas Weber", "jonas.weber@acme.example", "sales"),
    Person("Lena Fischer", "lena.fischer@acme.example", "sales"),
    Person("Marco Rossi", "marco.rossi@acme.example", "sales"),
    Person("Sophie Laurent", "sophie.laurent@acme.example", "sales"),
    Person("Daan de Vries", "daan.devries@acme.example", "sales"),
)
OTHER_STAFF = (
    Person("Miriam Schulz", "miriam.schulz@acme.example", "manager"),
    Person("Tobias Wagner", "tobias.wagner@acme.example", "support"),
    Person("Julia Hoffmann", "julia.hoffmann@acme.example", "marketing"),
)

#: Same order as SALESPEOPLE: Anna sells gourmet goods and rarely discounts, Daan discounts
#: fresh produce heavily, so their margins (and commission tiers) differ clearly.
PROFILES = (
    SalesProfile({"Deli & Gourmet": 2.2, "Bakery": 1.7, "Beverages": 1.2}, 0.06, ("0.05",)),
    SalesProfile({"Meat & Poultry": 1.8, "Fresh Produce": 1.5}, 0.45, ("0.10", "0.15", "0.20")),
    SalesProfile({}, 0.20, ("0.05", "0.10")),
    SalesProfile({"Beverages": 2.0, "Pantry & Dry Goods": 1.6}, 0.25, ("0.05", "0.10")),
    SalesProfile({"Fish & Seafood": 2.0, "Dairy & Cheese": 1.4}, 0.20, ("0.05", "0.10", "0.15")),
    SalesProfile(
        {"Fresh Produce": 2.0, "Dairy & Cheese": 1.5}, 0.50, ("0.10", "0.15", "0.20", "0.25")
    ),
)

PLACES = (
    Place("DE", "Bayern", ("München", "Nürnberg", "Augsburg", "Regensburg"), 14, 0, "de"),
    Place(
        "DE",
        "Nordrhein-Westfalen",
        ("Köln", "Düsseldorf", "Dortmund", "Essen", "Bonn"),
        16,
        1,
        "de",
    ),
    Place("DE", "Berlin", ("Berlin",), 8, 2, "de"),
    Place("DE", "Hamburg", ("Hamburg",), 6, 2, "de"),
    Place("DE", "Sachsen", ("Dresden", "Leipzig"), 5, 2, "de"),
    Place(
        "DE", "Baden-Württemberg", ("Stuttgart", "Karlsruhe", "Freiburg", "Heidelberg"), 10, 3, "de"
    ),
    Place("DE", "Hessen", ("Frankfurt am Main", "Wiesbaden", "Kassel"), 7, 4, "de"),
    Place("AT", "Wien", ("Wien",), 5, 0, "de"),
    Place("AT", "Salzburg", ("Salzburg",), 2, 0, "de"),
    Place("AT", "Tirol", ("Innsbruck",), 2, 0, "de"),
    Place("CH", "Zürich", ("Zürich", "Winterthur"), 4, 3, "de"),
    Place("CH", "Bern", ("Bern",), 2, 3, "de"),
    Place("FR", "Île-de-France", ("Paris",), 4, 4, "fr"),
    Place("FR", "Grand Est", ("Strasbourg", "Metz"), 3, 4, "fr"),
    Place("FR", "Auvergne-Rhône-Alpes", ("Lyon",), 2, 4, "fr"),
    Place("NL", "Noord-Holland", ("Amsterdam", "Haarlem"), 5, 5, "nl"),
    Place("NL", "Zuid-Holland", ("Rotterdam", "Den Haag", "Leiden"), 4, 5, "nl"),
    Place("NL", "Utrecht", ("Utrecht",), 2, 5, "nl"),
)


def _words(text: str) -> list[str]:
    """The words of a text (long name lists stay readable this way)."""
    return text.split()


#: The area code of each city (without the trunk 0), so a Munich customer's number starts 089.
AREA_CODES = {
    "München": "89", "Nürnberg": "911", "Augsburg": "821", "Regensburg": "941", "Köln": "221",
    "Düsseldorf": "211", "Dortmund": "231", "Essen": "201", "Bonn": "228", "Berlin": "30",
    "Hamburg": "40", "Dresden": "351", "Leipzig": "341", "Stuttgart": "711", "Karlsruhe": "721",
    "Freiburg": "761", "Heidelberg": "6221", "Frankfurt am Main": "69", "Wiesbaden": "611",
    "Kassel": "561", "Wien": "1", "Salzburg": "662", "Innsbruck": "512", "Zürich": "44",
    "Winterthur": "52", "Bern": "31", "Paris": "1", "Strasbourg": "388", "Metz": "387",
    "Lyon": "472", "Amsterdam": "20", "Haarlem": "23", "Rotterdam": "10", "Den Haag": "70",
    "Leiden": "71", "Utrecht": "30",
}  # fmt: skip
#: Mobile network prefixes per country (without the trunk 0).
MOBILE_PREFIXES = {
    "DE": ("151", "160", "170", "171", "176"),
    "AT": ("664", "676", "699"),
    "CH": ("76", "77", "78", "79"),
    "FR": ("6", "7"),
    "NL": ("6",),
}

#: How many digits a national number has (area or mobile prefix included), by country and mobile.
NATIONAL_LENGTHS = {
    ("DE", False): (10,), ("DE", True): (10, 11), ("AT", False): (8, 9), ("AT", True): (10, 11),
    ("CH", False): (9,), ("CH", True): (9,), ("FR", False): (9,), ("FR", True): (9,),
    ("NL", False): (9,), ("NL", True): (9,),
}  # fmt: skip

FIRST_NAMES = {
    "de": _words(
        "Lukas Leon Felix Maximilian Paul Jonas Elias Noah Ben Finn Anna Lea Sophie Marie Emma "
        "Hannah Laura Julia Katharina Sarah Thomas Michael Andreas Stefan Sabine Claudia Petra "
        "Monika Klaus Jürgen"
    ),
    "fr": _words(
        "Camille Louis Léa Hugo Chloé Lucas Manon Jules Inès Arthur Julien Claire Nicolas "
        "Élodie Antoine Margaux"
    ),
    "nl": _words(
        "Daan Sem Lucas Levi Finn Emma Julia Sophie Tess Zoë Mila Bram Sanne Femke Jeroen Lotte"
    ),
}
LAST_NAMES = {
    "de": _words(
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Bauer "
        "Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann "
        "Lange Huber Gruber Maier Keller Frank Berger"
    ),
    "fr": _words(
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
        "Lefebvre Michel Garcia Fontaine"
    ),
    "nl": [
        "de Jong",
        "Jansen",
        "de Vries",
        "van den Berg",
        "van Dijk",
        "Bakker",
        "Janssen",
        "Visser",
        "Smit",
        "Meijer",
        "de Boer",
        "Mulder",
        "de Groot",
        "Bos",
        "Vos",
        "Peters",
    ],
}

#: Kinds of customer: (tag, share of customers, how often they order, quantity range).
KINDS = (
    ("restaurant", 30, 1.6, (2, 12)),
    ("cafe", 14, 1.2, (1, 8)),
    ("hotel", 10, 2.2, (4, 20)),
    ("catering", 8, 1.8, (3, 15)),
    ("deli", 10, 1.0, (1, 6)),
    ("private", 28, 0.35, (1, 3)),
)

#: Company name patterns per language and kind; {last} and {city} are filled in.
COMPANY_NAMES = {
    "de": {
        "restaurant": ("Restaurant {last}", "Gasthaus {last}", "Trattoria da {first}"),
        "cafe": ("Café {last}", "Kaffeehaus {city}"),
        "hotel": ("Hotel {last}", "Hotel Krone {city}", "Landhotel {last}"),
        "catering": ("{last} Catering GmbH", "Partyservice {last}"),
        "deli": ("Feinkost {last}", "{last} Delikatessen"),
    },
    "fr": {
        "restaurant": ("Restaurant {last}", "Bistro {last}", "Brasserie de {city}"),
        "cafe": ("Café {last}", "Café de la Place"),
        "hotel": ("Hôtel {last}", "Hôtel du Parc {city}"),
        "catering": ("Traiteur {last}",),
        "deli": ("Épicerie fine {last}",),
    },
    "nl": {
        "restaurant": ("Restaurant {last}", "Eetcafé {last}"),
        "cafe": ("Koffiehuis {last}", "Café {city}"),
        "hotel": ("Hotel {last}", "Stadshotel {city}"),
        "catering": ("{last} Catering",),
        "deli": ("Delicatessen {last}",),
    },
}

#: Which categories each kind of customer buys more of.
KIND_FAVOURITES = {
    "restaurant": {
        "Meat & Poultry": 1.8,
        "Fish & Seafood": 1.5,
        "Fresh Produce": 1.6,
        "Pantry & Dry Goods": 1.3,
    },
    "cafe": {"Bakery": 2.4, "Dairy & Cheese": 1.6, "Beverages": 1.8},
    "hotel": {"Bakery": 1.4, "Dairy & Cheese": 1.4, "Beverages": 1.4},
    "catering": {
        "Meat & Poultry": 1.6,
        "Fresh Produce": 1.5,
        "Bakery": 1.3,
        "Pantry & Dry Goods": 1.4,
    },
    "deli": {"Deli & Gourmet": 2.6, "Dairy & Cheese": 1.5, "Beverages": 1.3},
    "private": {"Deli & Gourmet": 1.8, "Beverages": 1.6, "Bakery": 1.4},
}

#: Tags added at random: (tag, chance, only for these kinds of customer; empty = any).
EXTRA_TAGS = (
    ("vip", 0.08, ()),
    ("organic", 0.15, ()),
    ("newsletter", 0.3, ()),
    ("wholesale", 0.25, ("hotel", "catering", "restaurant")),
)

CHANNELS = (
    ("web", 28),
    ("referral", 22),
    ("fair", 16),
    ("social", 12),
    ("partner", 10),
    ("newsletter", 7),
    ("walk-in", 5),
)

CATEGORIES = (
    Category(
        "Fresh Produce",
        "FRU",
        ("0.10", "0.16"),
        (
            ("Tomatoes 5 kg", "14.90"),
            ("Cucumbers 12 pcs", "9.60"),
            ("Potatoes 25 kg", "21.50"),
            ("Onions 10 kg", "9.80"),
            ("Apples Elstar 10 kg", "19.90"),
            ("Lemons 5 kg", "12.40"),
            ("Mixed Salad 2 kg", "11.20"),
            ("Bell Peppers 5 kg", "17.80"),
        ),
    ),
    Category(
        "Meat & Poultry",
        "MEA",
        ("0.12", "0.18"),
        (
            ("Chicken Breast 2.5 kg", "27.50"),
            ("Beef Tenderloin 1 kg", "52.00"),
            ("Pork Neck 3 kg", "29.70"),
            ("Veal Escalope 1 kg", "38.90"),
            ("Minced Beef 5 kg", "44.50"),
            ("Lamb Racks 1 kg", "41.00"),
            ("Bratwurst 40 pcs", "34.80"),
        ),
    ),
    Category(
        "Fish & Seafood",
        "FIS",
        ("0.16", "0.24"),
        (
            ("Salmon Fillet 2 kg", "48.60"),
            ("Prawns 1 kg", "29.90"),
            ("Cod Loin 2 kg", "39.80"),
            ("Trout 10 pcs", "36.50"),
            ("Mussels 5 kg", "24.50"),
            ("Tuna Steaks 1 kg", "42.00"),
            ("Smoked Salmon 500 g", "21.90"),
        ),
    ),
    Category(
        "Dairy & Cheese",
        "DAI",
        ("0.24", "0.32"),
        (
            ("Whole Milk 12 l", "14.40"),
            ("Butter 5 kg", "46.50"),
            ("Cream 35 % 6 l", "22.80"),
            ("Alpine Cheese 2 kg", "44.00"),
            ("Mozzarella 12 x 125 g", "16.90"),
            ("Greek Yogurt 5 kg", "18.70"),
            ("Parmesan 1 kg", "28.50"),
            ("Free-range Eggs 180 pcs", "39.60"),
        ),
    ),
    Category(
        "Bakery",
        "BAK",
        ("0.45", "0.58"),
        (
            ("Sourdough Loaf 10 pcs", "32.00"),
            ("Croissants 50 pcs", "37.50"),
            ("Baguette 20 pcs", "24.00"),
            ("Pretzels 50 pcs", "29.50"),
            ("Rye Bread 10 pcs", "28.00"),
            ("Cheesecake whole", "26.90"),
            ("Apple Strudel 3 pcs", "22.50"),
        ),
    ),
    Category(
        "Beverages",
        "BEV",
        ("0.30", "0.40"),
        (
            ("Apple Juice 6 x 1 l", "10.10"),
            ("Mineral Water 12 x 0.75 l", "9.60"),
            ("Orange Juice 6 x 1 l", "13.20"),
            ("Riesling 6 x 0.75 l", "47.40"),
            ("Pilsner 24 x 0.33 l", "26.40"),
            ("Espresso Beans 1 kg", "24.90"),
            ("Lemonade 12 x 0.33 l", "15.60"),
            ("Red Wine 6 x 0.75 l", "59.40"),
        ),
    ),
    Category(
        "Pantry & Dry Goods",
        "PAN",
        ("0.26", "0.36"),
        (
            ("Olive Oil 5 l", "44.90"),
            ("Spaghetti 10 kg", "21.50"),
            ("Basmati Rice 10 kg", "27.80"),
            ("Flour Type 550 25 kg", "19.90"),
            ("Canned Tomatoes 12 x 800 g", "18.60"),
            ("Sugar 10 kg", "12.90"),
            ("Sea Salt 5 kg", "8.40"),
            ("Balsamic Vinegar 5 l", "32.50"),
        ),
    ),
    Category(
        "Deli & Gourmet",
        "DEL",
        ("0.50", "0.62"),
        (
            ("Truffle Oil 250 ml", "18.90"),
            ("Serrano Ham 1 kg", "39.50"),
            ("Antipasti Mix 2 kg", "34.00"),
            ("Pesto Genovese 1 kg", "22.80"),
            ("Kalamata Olives 2 kg", "19.60"),
            ("Foie Gras 500 g", "64.00"),
            ("Saffron 10 g", "27.50"),
        ),
    ),
)

#: Nine months before today suppliers raise prices: (category, cost increase, list price increase).
PRICE_RISE = (
    ("Dairy & Cheese", Decimal("0.08"), Decimal("0.04")),
    ("Fresh Produce", Decimal("0.07"), Decimal("0.03")),
)
#: Products no longer sold by the end (their history stays).
DISCONTINUED = ("MEA-06", "DEL-06")

#: Orders per month of the year relative to an average month (December is busiest).
SEASON = (0.8, 0.8, 0.95, 1.0, 1.05, 1.1, 1.0, 0.9, 1.05, 1.1, 1.2, 1.45)
#: Orders per weekday relative to a Monday (few at the weekend).
WEEKDAYS = (1.0, 1.0, 1.0, 1.0, 1.05, 0.35, 0.08)
