"""The Chinese demo company: 沪鲜达生鲜配送, a fresh-food supplier in Shanghai.

It delivers vegetables, fruit, meat, fish, dairy, eggs and tofu, fresh meals and bakery to
convenience stores (便利店), restaurants, canteens, hotels and neighbourhood fresh shops in
Shanghai's districts, and to a few in 苏州 and 杭州; some private households order too.
Names, products and channels are Chinese; money is in the company's currency (CNY).

Addresses: the region is the province-level division (上海市, 江苏省, 浙江省) and the city is
the next level down. Shanghai is a municipality, so its customers' city is their district
(徐汇区, 浦东新区, ...), as a Shanghai address is written (上海市徐汇区...).

Phones are mostly mobiles, typed the ways people type them (13800138000, 138-0013-8000,
+86 139 1234 5678, (+86) 13912345678); some businesses give a landline (021-6438 1234).
core.customers stores them as typed and normalises them to E.164 for lookup.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import phonenumbers
from pypinyin import lazy_pinyin

from core.demo.data import Category, Person, Place, SalesProfile
from core.demo.material import Material, ascii_slug, unique_email
from core.search import HAN

if TYPE_CHECKING:
    from core.demo.plan import PlannedCustomer

_HAN_RUN = re.compile(f"[{HAN}]+")


def _words(text: str) -> list[str]:
    return text.split()


SALESPEOPLE = (
    Person("王芳", "wang.fang@huxianda.example", "sales"),
    Person("李娜", "li.na@huxianda.example", "sales"),
    Person("张磊", "zhang.lei@huxianda.example", "sales"),
    Person("刘洋", "liu.yang@huxianda.example", "sales"),
    Person("陈静", "chen.jing@huxianda.example", "sales"),
    Person("杨帆", "yang.fan@huxianda.example", "sales"),
)
OTHER_STAFF = (
    Person("周建国", "zhou.jianguo@huxianda.example", "manager"),
    Person("吴婷", "wu.ting@huxianda.example", "support"),
    Person("孙悦", "sun.yue@huxianda.example", "marketing"),
)

#: Same order as SALESPEOPLE: 王芳 sells fresh meals and bakery and rarely discounts, 杨帆
#: discounts vegetables and fruit heavily, so their margins (and commission tiers) differ.
PROFILES = (
    SalesProfile({"鲜食便当": 2.2, "烘焙糕点": 1.7, "乳制品": 1.2}, 0.06, ("0.05",)),
    SalesProfile({"肉禽": 1.8, "蔬菜": 1.5}, 0.45, ("0.10", "0.15", "0.20")),
    SalesProfile({}, 0.20, ("0.05", "0.10")),
    SalesProfile({"乳制品": 2.0, "蛋品豆制品": 1.6}, 0.25, ("0.05", "0.10")),
    SalesProfile({"水产": 2.0, "水果": 1.4}, 0.20, ("0.05", "0.10", "0.15")),
    SalesProfile({"蔬菜": 2.0, "水果": 1.5}, 0.50, ("0.10", "0.15", "0.20", "0.25")),
)

PLACES = (
    Place("CN", "上海市", ("徐汇区", "闵行区"), 18, 0, "zh"),
    Place("CN", "上海市", ("静安区", "黄浦区"), 16, 1, "zh"),
    Place("CN", "上海市", ("浦东新区",), 18, 2, "zh"),
    Place("CN", "上海市", ("长宁区", "普陀区"), 12, 3, "zh"),
    Place("CN", "上海市", ("杨浦区", "虹口区", "宝山区"), 12, 4, "zh"),
    Place("CN", "江苏省", ("苏州市", "昆山市"), 8, 5, "zh"),
    Place("CN", "浙江省", ("杭州市", "嘉兴市"), 6, 5, "zh"),
)

#: Streets and quarters of each city, for branch names such as 全家便利店(漕溪北路店).
SPOTS = {
    "徐汇区": ("漕溪北路", "衡山路", "田林路", "徐家汇", "龙华"),
    "闵行区": ("莘庄", "七宝", "春申", "颛桥", "古美"),
    "静安区": ("静安寺", "南京西路", "江宁路", "大宁", "彭浦"),
    "黄浦区": ("人民广场", "淮海中路", "新天地", "豫园", "打浦桥"),
    "浦东新区": ("陆家嘴", "张江", "世纪大道", "金桥", "花木", "川沙"),
    "长宁区": ("中山公园", "虹桥", "天山路", "古北", "北新泾"),
    "普陀区": ("长寿路", "真如", "曹杨", "桃浦", "武宁路"),
    "杨浦区": ("五角场", "控江路", "新江湾", "平凉路", "鞍山"),
    "虹口区": ("四川北路", "曲阳", "临平路", "北外滩"),
    "宝山区": ("大华", "顾村", "淞南", "友谊路"),
    "苏州市": ("观前街", "湖东", "石路", "狮山", "金鸡湖"),
    "昆山市": ("花桥", "玉山", "周市", "陆家"),
    "杭州市": ("西湖", "滨江", "武林", "钱江新城", "下沙"),
    "嘉兴市": ("南湖", "秀洲", "嘉善"),
}

#: The area code of each city (without the trunk 0): 021 for Shanghai.
AREA_CODES = {
    **{district: "21" for district in SPOTS if district.endswith("区")},
    "苏州市": "512",
    "昆山市": "512",
    "杭州市": "571",
    "嘉兴市": "573",
}
MOBILE_PREFIXES = {
    "CN": _words(
        "130 131 132 133 135 136 137 138 139 150 151 152 155 156 158 159 177 180 181 182 "
        "183 186 187 188 189 199"
    )
}

FIRST_NAMES = {
    "zh": _words(
        "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 秀英 桂英 建华 志强 "
        "海燕 晓明 雪梅 文杰 佳怡 子涵 浩然 欣怡 俊杰 丹丹"
    )
}
LAST_NAMES = {
    "zh": _words(
        "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 高 罗 郑 梁 谢 宋 唐 许 韩 "
        "冯 邓 曹 沈 陆 顾 蒋 钱"
    )
}

#: Kinds of customer: (tag, share of customers, how often they order, quantity range).
KINDS = (
    ("便利店", 34, 2.0, (8, 30)),
    ("餐厅", 22, 1.5, (3, 20)),
    ("食堂", 10, 2.2, (10, 40)),
    ("酒店", 6, 1.6, (5, 25)),
    ("生鲜店", 10, 1.3, (5, 25)),
    ("个人", 18, 0.35, (1, 4)),
)

#: Company name patterns per kind: {last} the contact's surname, {spot} a street or quarter
#: of the city, {short} the district or city without 区/市.
COMPANY_NAMES = {
    "zh": {
        "便利店": (
            "全家便利店({spot}店)",
            "罗森({spot}店)",
            "好德便利({spot}店)",
            "快客便利({spot}店)",
            "可的便利({spot}店)",
        ),
        "餐厅": (
            "{last}记本帮菜({spot}店)",
            "老{last}家面馆",
            "{spot}小笼馆",
            "{short}{last}家私房菜",
        ),
        "食堂": (
            "{short}实验中学食堂",
            "{spot}小学食堂",
            "{spot}园区员工餐厅",
            "{spot}医院职工食堂",
            "{short}颐养院食堂",
        ),
        "酒店": ("{spot}大酒店", "锦江之星({spot}店)", "如家酒店({spot}店)", "汉庭酒店({spot}店)"),
        "生鲜店": ("{spot}菜篮子生鲜", "{last}家社区生鲜", "联华超市({spot}店)"),
    }
}

#: Which categories each kind of customer buys more of.
KIND_FAVOURITES = {
    "便利店": {"鲜食便当": 2.6, "乳制品": 1.8, "烘焙糕点": 1.8, "水果": 1.3},
    "餐厅": {"肉禽": 1.8, "水产": 1.6, "蔬菜": 1.8, "蛋品豆制品": 1.3},
    "食堂": {"蔬菜": 2.0, "肉禽": 1.8, "蛋品豆制品": 1.6},
    "酒店": {"烘焙糕点": 1.5, "乳制品": 1.5, "水果": 1.5, "水产": 1.3},
    "生鲜店": {"蔬菜": 1.8, "水果": 1.8, "肉禽": 1.4, "蛋品豆制品": 1.4},
    "个人": {"水果": 2.0, "水产": 1.5, "乳制品": 1.3},
}

CHANNELS = (
    ("微信", 26),
    ("转介绍", 22),
    ("展会", 14),
    ("官网", 12),
    ("合作伙伴", 10),
    ("电话销售", 9),
    ("地推", 7),
)

#: Tags added at random: 有机 (buys organic), 月结 (settles monthly), 早配 (delivery before 7:00).
EXTRA_TAGS = (
    ("vip", 0.08, ()),
    ("有机", 0.12, ()),
    ("月结", 0.3, ("便利店", "食堂", "酒店", "餐厅")),
    ("早配", 0.25, ("便利店", "生鲜店")),
)

#: Prices in CNY per unit sold (a bag, a box, a kilogram).
CATEGORIES = (
    Category(
        "蔬菜",
        "VEG",
        ("0.10", "0.16"),
        (
            ("上海青 500g", "4.80"),
            ("有机西红柿 500g", "9.80"),
            ("黄瓜 500g", "4.20"),
            ("土豆 2.5kg", "9.50"),
            ("大白菜 2.5kg", "7.80"),
            ("西兰花 500g", "7.50"),
            ("胡萝卜 1kg", "5.60"),
            ("鲜香菇 500g", "12.80"),
        ),
    ),
    Category(
        "水果",
        "FRU",
        ("0.15", "0.22"),
        (
            ("富士苹果 5kg", "49.00"),
            ("香蕉 1kg", "8.90"),
            ("赣南脐橙 5kg", "45.00"),
            ("麒麟西瓜 1个", "28.00"),
            ("阳光玫瑰葡萄 1kg", "36.00"),
            ("奉化水蜜桃 12个", "68.00"),
            ("海南芒果 2.5kg", "39.50"),
            ("千禧小番茄 500g", "9.90"),
        ),
    ),
    Category(
        "肉禽",
        "MEA",
        ("0.12", "0.18"),
        (
            ("冷鲜鸡胸肉 1kg", "26.80"),
            ("冷鲜猪五花肉 1kg", "42.00"),
            ("猪肋排 1kg", "58.00"),
            ("牛腩 1kg", "78.00"),
            ("鸡全腿 1kg", "22.50"),
            ("鸭胸肉 1kg", "32.00"),
            ("猪肉糜 1kg", "36.00"),
        ),
    ),
    Category(
        "水产",
        "SEA",
        ("0.16", "0.24"),
        (
            ("鲜活基围虾 500g", "45.00"),
            ("冰鲜大黄鱼 1kg", "48.00"),
            ("舟山带鱼段 1kg", "42.00"),
            ("三文鱼刺身 500g", "88.00"),
            ("花蛤 1kg", "18.00"),
            ("鲜活鲈鱼 1kg", "52.00"),
            ("虾仁 500g", "39.00"),
        ),
    ),
    Category(
        "乳制品",
        "DAI",
        ("0.20", "0.28"),
        (
            ("光明鲜牛奶 950ml", "16.80"),
            ("低温酸奶 100g×8", "19.90"),
            ("巴氏鲜奶 200ml×12", "36.00"),
            ("奶酪片 10片", "24.50"),
            ("淡奶油 1L", "42.00"),
            ("黄油 454g", "38.00"),
            ("希腊酸奶 1kg", "32.00"),
        ),
    ),
    Category(
        "蛋品豆制品",
        "EGG",
        ("0.24", "0.34"),
        (
            ("土鸡蛋 30枚", "36.00"),
            ("鲜鸡蛋 15枚", "16.50"),
            ("咸鸭蛋 6枚", "15.00"),
            ("嫩豆腐 400g", "4.50"),
            ("老豆腐 500g", "5.00"),
            ("现磨豆浆 1L", "8.00"),
            ("油豆腐 250g", "7.50"),
            ("百叶 500g", "9.00"),
        ),
    ),
    Category(
        "鲜食便当",
        "RTE",
        ("0.45", "0.58"),
        (
            ("金枪鱼饭团", "6.50"),
            ("鸡排便当", "18.00"),
            ("红烧肉便当", "22.00"),
            ("火腿鸡蛋三明治", "9.50"),
            ("关东煮组合 20串", "38.00"),
            ("鲜肉小笼包 12只", "15.00"),
            ("荠菜馄饨 500g", "19.00"),
            ("蔬菜沙拉 250g", "16.00"),
        ),
    ),
    Category(
        "烘焙糕点",
        "BAK",
        ("0.40", "0.52"),
        (
            ("全麦吐司 400g", "12.00"),
            ("菠萝包 4个", "14.00"),
            ("牛角包 6个", "22.00"),
            ("葡式蛋挞 6个", "18.00"),
            ("肉松小贝 6个", "24.00"),
            ("蜂蜜蛋糕 500g", "26.00"),
            ("艾草青团 6个", "21.00"),
        ),
    ),
)

#: Nine months before today pork and vegetables get dearer: (category, cost rise, price rise).
PRICE_RISE = (
    ("肉禽", Decimal("0.09"), Decimal("0.05")),
    ("蔬菜", Decimal("0.07"), Decimal("0.03")),
)
#: Products no longer sold by the end (their history stays).
DISCONTINUED = ("MEA-06", "BAK-07")

#: Orders per month relative to an average month: the weeks before the Spring Festival are
#: the busiest, February (the holiday) is quiet, summer and National Day are busy.
SEASON = (1.3, 0.85, 0.95, 1.0, 1.05, 1.1, 1.15, 1.1, 1.05, 1.15, 1.0, 1.2)
#: Orders per weekday relative to a Monday: shops are stocked at the weekend too.
WEEKDAYS = (1.0, 1.0, 1.0, 1.0, 1.1, 0.7, 0.4)

#: The customer the README's Chinese tour opens (found by 13800138000 or by zw): the same in
#: every Chinese demo. The phone is typed with dashes, as many people do.
TOUR_CUSTOMER = {
    "name": "张伟",
    "company": "全家便利店(漕溪北路店)",
    "email": "zhangwei@quanjiabianlidian.example",
    "phone": "138-0013-8000",
    "country": "CN",
    "region": "上海市",
    "city": "徐汇区",
    "marketing_opt_out": False,
}
#: The mobile number a 浦东 customer typed in the international form.
TOUR_PUDONG_PHONE = "+86 139 1234 5678"


def pinyin_slug(text: str, separator: str = "-") -> str:
    """ "全家便利店" → "quanjiabianlidian", "张 伟" with "." → "zhang.wei" (for e-mail addresses)."""
    spelled = _HAN_RUN.sub(lambda run: f" {''.join(lazy_pinyin(run.group()))} ", text)
    return ascii_slug(spelled, separator)


def short_name(city: str) -> str:
    """ "徐汇区" → "徐汇", "浦东新区" → "浦东", "苏州市" → "苏州"."""
    return re.sub("(新区|区|市)$", "", city)


#: How a mobile is typed: plain, with dashes or spaces, with +86 in several ways.
_MOBILE_STYLES = (
    ("{a}{b}{c}", 30),
    ("{a}-{b}-{c}", 18),
    ("{a} {b} {c}", 18),
    ("+86 {a} {b} {c}", 18),
    ("+86{a}{b}{c}", 8),
    ("(+86) {a}{b}{c}", 8),
)
#: How a landline is typed: with the area code's trunk 0, or +86 without it.
_LANDLINE_STYLES = (
    ("0{area}-{a}{b}", 40),
    ("0{area}-{a} {b}", 25),
    ("(0{area}) {a}{b}", 20),
    ("+86 {area} {a} {b}", 15),
)


@dataclass(frozen=True)
class ChineseMaterial(Material):
    """Chinese names (surname first), pinyin e-mail addresses, mobiles typed many ways."""

    spots: dict[str, tuple[str, ...]] | None = None

    def person_name(self, first: str, last: str) -> str:
        """ "伟" and "张" → "张伟"."""
        return f"{last}{first}"

    def company_name(
        self, rng: random.Random, pattern: str, first: str, last: str, city: str, taken: set[str]
    ) -> str:
        """A branch name from the pattern: "全家便利店({spot}店)" → "全家便利店(衡山路店)".

        Two branches never share a name: a taken one is tried at the city's other spots, then
        as a second branch (陆家嘴二店); a name without a spot gets one in brackets.
        """
        assert self.spots is not None
        spots = self.spots[city]
        start = rng.randrange(len(spots))
        rotated = spots[start:] + spots[:start]

        def name(spot: str) -> str:
            return pattern.format(first=first, last=last, spot=spot, short=short_name(city))

        if "{spot}" in pattern:
            names = [name(spot) for spot in rotated] + [name(f"{spot}二") for spot in rotated]
        else:
            names = [name("")] + [f"{name('')}({spot})" for spot in rotated]
        chosen = next((candidate for candidate in names if candidate not in taken), names[-1])
        taken.add(chosen)
        return chosen

    def email(self, rng: random.Random, first: str, last: str, company: str, used: set[str]) -> str:
        """zhang.wei@example.com for people, zhangwei@<brand in pinyin>.example for businesses."""
        if company:
            brand = company.split("(")[0]
            base = f"{pinyin_slug(last + first, '')}@{pinyin_slug(brand)}.example"
        else:
            domain = rng.choice(("example.com", "example.net", "example.org"))
            base = f"{pinyin_slug(f'{last} {first}', '.')}@{domain}"
        return unique_email(base, used)

    def phone(self, rng: random.Random, place: Place, city: str, kind: str) -> str:
        """A mobile (every private person, most businesses) or the city's landline, as typed."""
        if kind == self.private_kind or rng.random() < 0.7:
            return self._typed_mobile(rng)
        return self._typed_landline(rng, self.area_codes[city])

    def _typed_mobile(self, rng: random.Random) -> str:
        prefix = rng.choice(self.mobile_prefixes["CN"])
        digits = _valid(rng, prefix, 8, phonenumbers.PhoneNumberType.MOBILE)
        style = _pick(rng, _MOBILE_STYLES)
        return style.format(a=digits[:3], b=digits[3:7], c=digits[7:])

    def _typed_landline(self, rng: random.Random, area: str) -> str:
        digits = _valid(rng, area, 8, phonenumbers.PhoneNumberType.FIXED_LINE)[len(area) :]
        style = _pick(rng, _LANDLINE_STYLES)
        return style.format(area=area, a=digits[:4], b=digits[4:])

    def tour(self, customers: list[PlannedCustomer], used: set[str], start: dt.date) -> None:
        """The busiest convenience store in 徐汇区 becomes 张伟's, a customer of long standing;
        the first customer in 浦东新区 typed their mobile in the international form."""
        xuhui = [
            customer
            for customer in customers
            if customer.fields["city"] == "徐汇区" and customer.kind == "便利店"
        ]
        if xuhui and TOUR_CUSTOMER["email"] not in used:
            chosen = max(xuhui, key=lambda customer: customer.weight)
            chosen.fields.update(TOUR_CUSTOMER, tags=",".join([chosen.kind, "vip"]))
            chosen.created_at = min(chosen.created_at, dt.datetime.combine(start, dt.time(9)))
            chosen.weight *= 2
        taken = {customer.fields["phone"] for customer in customers}
        pudong = [customer for customer in customers if customer.fields["city"] == "浦东新区"]
        if pudong and TOUR_PUDONG_PHONE not in taken:
            pudong[0].fields["phone"] = TOUR_PUDONG_PHONE


def _pick(rng: random.Random, styles: tuple[tuple[str, int], ...]) -> str:
    """One of the styles, drawn by weight."""
    return rng.choices([style for style, _ in styles], [weight for _, weight in styles])[0]


def _valid(rng: random.Random, prefix: str, length: int, kind: int) -> str:
    """The national digits of a number in use: prefix, then length drawn digits (40 tries).

    The first drawn digit is 2 to 9 (no local number starts with 0 or 1); the country's
    example number of the kind is the fallback.
    """
    for _ in range(40):
        subscriber = str(rng.randint(2, 9)) + "".join(
            str(rng.randrange(10)) for _ in range(length - 1)
        )
        number = phonenumbers.parse(f"+86{prefix}{subscriber}")
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
            kind,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            return f"{prefix}{subscriber}"
    example = phonenumbers.example_number_for_type("CN", kind)
    assert example is not None
    return str(example.national_number)


CHINESE = ChineseMaterial(
    salespeople=SALESPEOPLE,
    other_staff=OTHER_STAFF,
    staff_language="zh_CN",
    profiles=PROFILES,
    places=PLACES,
    area_codes=AREA_CODES,
    mobile_prefixes={"CN": tuple(MOBILE_PREFIXES["CN"])},
    national_lengths={("CN", False): (10, 11), ("CN", True): (11,)},
    first_names=FIRST_NAMES,
    last_names=LAST_NAMES,
    kinds=KINDS,
    company_names=COMPANY_NAMES,
    kind_favourites=KIND_FAVOURITES,
    channels=CHANNELS,
    categories=CATEGORIES,
    price_rise=PRICE_RISE,
    discontinued=DISCONTINUED,
    season=SEASON,
    weekdays=WEEKDAYS,
    extra_tags=EXTRA_TAGS,
    private_kind="个人",
    large_basket_kinds=("食堂",),
    half_unit_marker=" 1kg",
    spots=SPOTS,
)
