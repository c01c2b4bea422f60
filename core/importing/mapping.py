"""Matching a file's own column names to an import format's (the web import's first guess).

A header is compared folded (any case, no accents), with ``-``, ``_``, ``.`` and runs of
spaces as one space, against the format's column names and the common names other systems
and spreadsheets use for them, in English, German, French and Chinese ("Telefon", "手机",
"Customer No."). Each format column is matched at most once, by the first file column that
names it; the person checks the guess on the page and can change any of it.

A mapping can be saved under a name per import kind (:class:`~core.models.ImportMapping`)
and chosen again for the next file; a saved mapping whose columns are exactly the file's is
chosen by itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from sqlalchemy import select

from core.db import db
from core.models import ImportMapping, User, utcnow
from core.search import fold

#: The longest name a saved mapping may have.
NAME_LENGTH = 80

#: Other names of each column, by format column (the column's own name always matches).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": (
        "id", "customer id", "customer no", "customer number", "customer code", "account number",
        "client id", "kundennummer", "kunden nr", "numero client", "客户编号", "客户编码",
        "客户id", "客户代码", "编号",
    ),
    "name": (
        "full name", "customer name", "contact name", "contact", "client", "kunde", "nom",
        "姓名", "客户名称", "客户姓名", "名称", "联系人",
    ),
    "company": ("company name", "organisation", "organization", "firma", "societe", "公司",
                "公司名称", "单位"),
    "email": ("e mail", "email address", "e mail address", "mail", "courriel", "邮箱",
              "电子邮件", "电子邮箱", "邮件"),
    "phone": (
        "telephone", "tel", "phone number", "mobile", "mobile phone", "cell", "telefon",
        "telefonnummer", "handy", "portable", "电话", "手机", "手机号", "联系电话", "电话号码",
    ),
    "country": ("country code", "land", "pays", "国家", "国家地区"),
    "region": ("state", "province", "county", "bundesland", "departement", "省", "省份", "地区",
               "州"),
    "city": ("town", "ort", "stadt", "ville", "城市", "市"),
    "channel": ("source", "lead source", "acquisition channel", "kanal", "渠道", "来源"),
    "birthday": ("birth date", "date of birth", "dob", "birthdate", "geburtstag",
                 "geburtsdatum", "date de naissance", "生日", "出生日期"),
    "owner_email": ("owner", "account manager", "account owner", "betreuer", "负责人",
                    "负责人邮箱", "客户经理"),
    "tags": ("labels", "tag", "schlagworte", "标签"),
    "created_at": ("created", "created on", "customer since", "date created", "angelegt am",
                   "创建时间", "注册时间", "创建日期"),
    "sku": ("code", "item code", "product code", "article number", "item number", "part number",
            "artikelnummer", "reference", "编码", "货号", "产品编码", "商品编码", "料号"),
    "category": ("group", "product group", "kategorie", "warengruppe", "categorie", "类别",
                 "分类", "品类"),
    "list_price": ("price", "sales price", "selling price", "retail price", "preis",
                   "verkaufspreis", "prix", "售价", "价格", "零售价", "销售价"),
    "unit_cost": ("cost", "cost price", "purchase price", "einkaufspreis", "cout", "成本",
                  "成本价", "进价"),
    "active": ("enabled", "aktiv", "actif", "在售", "启用"),
    "number": ("order number", "order no", "order id", "order", "auftragsnummer",
               "bestellnummer", "订单号", "订单编号"),
    "customer_external_id": ("customer id", "customer no", "customer number", "customer",
                             "kundennummer", "客户编号", "客户"),
    "salesperson_email": ("salesperson", "sales rep", "seller", "verkaufer", "销售员",
                          "销售员邮箱", "业务员"),
    "order_date": ("date", "order date", "bestelldatum", "datum", "下单日期", "订单日期",
                   "日期"),
    "status": ("state", "order status", "状态", "订单状态"),
    "order_number": ("order number", "order no", "order id", "order", "订单号", "订单编号"),
    "quantity": ("qty", "menge", "anzahl", "quantite", "数量"),
    "unit_price": ("price", "price each", "einzelpreis", "prix unitaire", "单价", "价格"),
    "discount": ("rabatt", "remise", "折扣"),
    "role": ("rolle", "角色", "岗位"),
}  # fmt: skip

#: Names that mean a product's own name in a product or order-line file.
PRODUCT_NAMES = ("product name", "product", "description", "artikel", "produit", "品名",
                 "产品名称", "商品名称", "产品")  # fmt: skip


def header_key(text: str) -> str:
    """How a header is compared: folded, punctuation as spaces, one space between words."""
    return re.sub(r"[\s\-_.:/()#]+", " ", fold(text)).strip()


def _names(kind: str, column: str) -> list[str]:
    names = [column, column.replace("_", " "), *SYNONYMS.get(column, ())]
    if column == "name" and kind == "products":
        names += PRODUCT_NAMES
    return [header_key(name) for name in names]


def suggest_mapping(kind: str, columns: Sequence[str], header: Sequence[str]) -> dict[str, str]:
    """{file column: format column} for the file columns whose names match (each column once).

    Exact column names are matched first, then synonyms in the order SYNONYMS lists them."""
    keys = {column: header_key(column) for column in header}
    mapping: dict[str, str] = {}
    for exact in (True, False):
        for field in columns:
            if field in mapping.values():
                continue
            names = _names(kind, field)[:2] if exact else _names(kind, field)
            for name in names:
                found = next(
                    (column for column in header if column not in mapping and keys[column] == name),
                    None,
                )
                if found is not None:
                    mapping[found] = field
                    break
    return mapping


def saved_mappings(kind: str) -> list[ImportMapping]:
    """The mappings saved for this import kind, by name (one query)."""
    return list(
        db.session.scalars(
            select(ImportMapping).where(ImportMapping.kind == kind).order_by(ImportMapping.name)
        )
    )


def columns_of(saved: ImportMapping) -> dict[str, str]:
    """{file column: our column} of a saved mapping."""
    value = json.loads(saved.columns or "{}")
    return {str(key): str(field) for key, field in value.items()} if isinstance(value, dict) else {}


def apply_saved(
    saved: ImportMapping, columns: Sequence[str], header: Sequence[str]
) -> tuple[dict[str, str], list[str]]:
    """(mapping for this file's header, the saved file columns this file does not have).

    Only our columns that still exist are used, each once."""
    wanted = columns_of(saved)
    mapping: dict[str, str] = {}
    for column in header:
        field = wanted.get(column, "")
        if field in columns and field not in mapping.values():
            mapping[column] = field
    return mapping, [column for column in wanted if column not in header]


def matching_saved(
    kind: str, header: Sequence[str], saved: Sequence[ImportMapping] | None = None
) -> ImportMapping | None:
    """The most recently saved mapping of kind made for a file with exactly these columns."""
    candidates = saved_mappings(kind) if saved is None else saved
    same = [item for item in candidates if set(columns_of(item)) == set(header)]
    return max(same, key=lambda item: (item.saved_at, item.id), default=None)


def save_mapping(
    kind: str, name: str, mapping: Mapping[str, str], user: User | None
) -> tuple[ImportMapping, bool]:
    """Save mapping under name for kind (replacing a mapping of that name); (it, True if new).

    The caller checks the name (not empty, at most NAME_LENGTH characters) and commits."""
    saved = db.session.scalar(
        select(ImportMapping).where(ImportMapping.kind == kind, ImportMapping.name == name)
    )
    new = saved is None
    if saved is None:
        saved = ImportMapping(kind=kind, name=name)
        db.session.add(saved)
    saved.columns = json.dumps(dict(mapping), ensure_ascii=False, sort_keys=True)
    saved.saved_by_id = user.id if user is not None else None
    saved.saved_at = utcnow()
    db.session.flush()
    return saved, new
