"""The demo workspace: a delivery service, two competitors and 90 days of generated feedback.

Every text is generated here from our own phrase banks with a fixed seed; the mentions are
written to a JSON Lines file and imported through the real pipeline, so analysis is real.
"""

from __future__ import annotations

import json
import random
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from otklik.analysis import build_pipeline
from otklik.domain.records import Workspace
from otklik.errors import InputError
from otklik.ingest.importer import ImportOptions, import_file
from otklik.pipeline import registry
from otklik.settings import Settings
from otklik.storage import Store, catalog, utcnow


@dataclass(frozen=True)
class DemoBrand:
    """A demo brand: how people write its name, per language, and its query."""

    name: str
    query: str
    own: bool
    names: dict[str, tuple[str, ...]]
    share: float
    mood: tuple[float, float, float]  # chance of positive, neutral, negative


BRANDS = (
    DemoBrand(
        "Быстрая Почта",
        'БыстроПочта OR BystroPost OR "Быстрая Почта"',
        True,
        {
            "ru": ("Быстрая Почта", "БыстроПочта", "BystroPost"),
            "kk": ("BystroPost", "Быстрая Почта"),
            "en": ("BystroPost",),
        },
        0.5,
        (0.42, 0.23, 0.35),
    ),
    DemoBrand(
        "Грузовичок",
        "Грузовичок OR Gruzovichok",
        False,
        {"ru": ("Грузовичок",), "kk": ("Грузовичок", "Gruzovichok"), "en": ("Gruzovichok",)},
        0.3,
        (0.35, 0.25, 0.40),
    ),
    DemoBrand(
        "Пакетон",
        "Пакетон OR Paketon",
        False,
        {"ru": ("Пакетон",), "kk": ("Пакетон",), "en": ("Paketon",)},
        0.2,
        (0.5, 0.25, 0.25),
    ),
)

TAGS = (
    ("доставка", "достав* OR delivery OR delivered OR жеткіз*"),
    ("сроки", "опозда* OR задерж* OR late OR delay* OR кешік*"),
    ("цена", "цен* OR дорог* OR price* OR expensive OR cheap OR баға* OR қымбат*"),
    ("курьер", "курьер* OR courier*"),
    ("приложение", "приложени* OR app OR қосымша*"),
    ("повреждение", "повреж* OR потерял* OR разбит* OR damaged OR lost OR broken OR жоғал*"),
)

# Phrase banks: topic → polarity → language → sentences ({b} brand, {n} number, {c} city).
PHRASES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "speed": {
        "positive": {
            "ru": (
                "{b} привезла посылку за {n} дня, быстрее, чем обещали.",
                "Заказ из {c} доставили на следующий день, {b} молодцы!",
                "Доставка заняла всего сутки, очень доволен.",
                "Уже третий раз {b} доставляет вовремя, рекомендую.",
            ),
            "kk": (
                "{b} сәлемдемені {n} күнде жеткізді, рахмет!",
                "Жеткізу өте жылдам болды, {b} жарайсыңдар.",
                "Тапсырыс {c} қаласынан ертесіне келді, ризамын.",
            ),
            "en": (
                "{b} delivered my parcel in {n} days, faster than promised.",
                "Next-day delivery from {c}, well done {b}!",
                "Third order in a row delivered on time by {b}. Recommended.",
            ),
        },
        "neutral": {
            "ru": (
                "Посылка от {b} пришла за {n} дня, как и было указано.",
                "Доставка из {c} заняла {n} дня, в пределах нормы.",
                "Подскажите, сколько обычно идёт доставка {b} до {c}?",
            ),
            "kk": (
                "{b} сәлемдемесі {n} күнде келді, айтылғандай.",
                "{c} қаласына жеткізу қанша күн алады?",
            ),
            "en": (
                "Parcel from {b} arrived in {n} days, as stated.",
                "How long does {b} delivery to {c} usually take?",
            ),
        },
        "negative": {
            "ru": (
                "{b} опять задержала посылку на {n} дней, никто ничего не объясняет.",
                "Заказ должен был прийти во вторник, уже {n} дней опоздания. {b}, где моя посылка?",
                "Доставка {b} опоздала на {n} дней, больше не закажу.",
                "Трекинг {b} стоит на месте {n} дней, посылка застряла в {c}.",
            ),
            "kk": (
                "{b} сәлемдемені {n} күнге кешіктірді, ешкім түсіндірмейді.",
                "Тапсырысым әлі жоқ, жеткізу {n} күнге кешікті. {b}, не болды?",
                "{c} қаласындағы қоймада {n} күн жатыр, жеткізу кешікті.",
            ),
            "en": (
                "{b} delayed my parcel by {n} days and nobody explains why.",
                "Order is {n} days late. {b}, where is my package?",
                "Tracking hasn't moved for {n} days, parcel stuck in {c}. {b} is always late now.",
            ),
        },
    },
    "courier": {
        "positive": {
            "ru": (
                "Курьер {b} вежливый, позвонил заранее и помог занести коробку.",
                "Спасибо курьеру {b}: приехал точно ко времени.",
            ),
            "kk": (
                "{b} курьері сыпайы, уақытында келді.",
                "Курьерге рахмет, қорапты үйге дейін көтеріп берді.",
            ),
            "en": (
                "The {b} courier was polite and called ahead.",
                "Great courier from {b}, arrived exactly on time.",
            ),
        },
        "neutral": {
            "ru": ("Курьер {b} приехал в интервале, без звонка.",),
            "kk": ("{b} курьері келді, бірақ алдын ала хабарласпады.",),
            "en": ("The {b} courier came within the slot, no call.",),
        },
        "negative": {
            "ru": (
                "Курьер {b} нагрубил и бросил коробку у двери.",
                "Курьер {b} не берёт трубку, ждал весь день зря.",
                "Хамство курьера {b} — отдельная история, жалоба отправлена.",
            ),
            "kk": (
                "{b} курьері телефон көтермейді, күні бойы күттім.",
                "Курьер дөрекі сөйледі, қорапты есік алдына тастап кетті.",
            ),
            "en": (
                "The {b} courier was rude and left the box outside.",
                "Courier never picked up the phone, waited all day for {b}.",
            ),
        },
    },
    "price": {
        "positive": {
            "ru": (
                "Цены у {b} ниже, чем у других, доставка {n}00 рублей.",
                "Хорошая цена за доставку в {c}, {b} выгоднее всех.",
            ),
            "kk": ("{b} бағасы қолжетімді, жеткізу {n}00 теңге.",),
            "en": ("{b} has the best price for delivery to {c}.",),
        },
        "neutral": {
            "ru": ("Сколько стоит доставка {b} в {c}? На сайте цена не указана.",),
            "kk": ("{b} арқылы {c} қаласына жеткізу бағасы қанша?",),
            "en": ("What's the price of {b} delivery to {c}?",),
        },
        "negative": {
            "ru": (
                "{b} подняла цены, {n}00 рублей за маленькую коробку — дорого.",
                "Слишком дорого: доставка {b} стоит как сам товар.",
            ),
            "kk": ("{b} бағасы қымбат, кішкентай қорап үшін {n}000 теңге.",),
            "en": ("{b} raised prices again, way too expensive for a small box.",),
        },
    },
    "app": {
        "positive": {
            "ru": ("Приложение {b} удобное, трекинг обновляется в реальном времени.",),
            "kk": ("{b} қосымшасы ыңғайлы, бәрі түсінікті.",),
            "en": ("The {b} app is great, live tracking works perfectly.",),
        },
        "neutral": {
            "ru": ("В приложении {b} появилась новая вкладка с пунктами выдачи.",),
            "kk": ("{b} қосымшасы жаңартылды.",),
            "en": ("The {b} app got an update with pickup point maps.",),
        },
        "negative": {
            "ru": (
                "Приложение {b} вылетает при открытии трекинга, версия {n}.2.",
                "В приложении {b} не видно статус заказа уже {n} дней.",
            ),
            "kk": ("{b} қосымшасы жиі қатып қалады, трек нөмірі көрінбейді.",),
            "en": ("The {b} app keeps crashing when I open tracking (v{n}.2).",),
        },
    },
    "damage": {
        "positive": {
            "ru": ("Упаковка {b} надёжная, хрупкую вазу довезли целой.",),
            "kk": ("{b} қаптамасы мықты, бәрі бүтін жетті.",),
            "en": ("{b} packed my fragile order well, nothing broken.",),
        },
        "neutral": {
            "ru": ("Как оформить претензию, если {b} повредила коробку?",),
            "kk": ("Сәлемдеме жоғалса, {b} қалай өтейді?",),
            "en": ("How do I file a claim with {b} for a damaged box?",),
        },
        "negative": {
            "ru": (
                "{b} потеряла мою посылку, поддержка отвечает шаблонами.",
                "Коробка пришла разбитой, {b} отказывается компенсировать.",
            ),
            "kk": ("{b} сәлемдемемді жоғалтып алды, қолдау қызметі жауап бермейді.",),
            "en": (
                "{b} lost my parcel and support only sends template replies.",
                "Box arrived damaged, {b} refuses to compensate.",
            ),
        },
    },
}
OPENERS = {
    "ru": ("", "", "Отзыв: ", "Коротко: ", "Добрый день! ", "Ну что сказать. "),
    "kk": ("", "", "Сәлеметсіз бе! ", "Пікірім: "),
    "en": ("", "", "Quick review: ", "Hi all, ", "Update: "),
}
CLOSERS = {
    "ru": ("", "", " Спасибо.", " Оценку ставлю честно.", " #доставка", " Заказ №{o}."),
    "kk": ("", "", " Рахмет.", " Тапсырыс №{o}."),
    "en": ("", "", " Thanks.", " #delivery", " Order #{o}."),
}
ITEMS = {
    "ru": (
        "кроссовки",
        "книги",
        "корм для кота",
        "зарядку",
        "платье",
        "детское кресло",
        "наушники",
        "посуду",
        "подарок сестре",
        "запчасти",
        "кофемашину",
        "лекарства",
        "документы",
        "цветы",
        "чемодан",
        "ноутбук",
        "игрушки",
        "шторы",
    ),
    "kk": (
        "кітаптар",
        "аяқ киім",
        "телефон",
        "ойыншықтар",
        "құжаттар",
        "сыйлық",
        "құлаққап",
        "көйлек",
        "ыдыс-аяқ",
        "ноутбук",
    ),
    "en": (
        "sneakers",
        "books",
        "cat food",
        "a charger",
        "a dress",
        "a car seat",
        "headphones",
        "dishes",
        "a gift for my sister",
        "spare parts",
        "a coffee machine",
        "documents",
        "a suitcase",
        "a laptop",
        "toys",
    ),
}
# Neutral details any text may carry, and details that lean one way, used only in texts of
# that polarity (a review that praises the courier does not also complain about support).
DETAILS = {
    "ru": (
        "Заказывал {i} к празднику.",
        "Брал {i} для мамы.",
        "Внутри были {i}.",
        "Оформляла {i} через сайт в {h}:00.",
        "Это уже {k}-й заказ за месяц.",
        "Живу на окраине, обычно всё идёт дольше.",
        "Трек-номер пришёл по SMS.",
        "Раньше пользовался другими службами.",
    ),
    "kk": (
        "Мерекеге {i} тапсырыс бердім.",
        "Анама {i} алдым.",
        "Ішінде {i} болды.",
        "Бұл айдағы {k}-ші тапсырысым.",
        "Трек нөмірі SMS арқылы келді.",
    ),
    "en": (
        "Ordered {i} for a holiday.",
        "It was {i} for my mom.",
        "The box had {i} inside.",
        "Placed the order at {h}:00 on the website.",
        "This is my {k}th order this month.",
        "I live out of town, so things usually take longer.",
        "Tracking number came by SMS.",
        "Used a different service before.",
    ),
}
LEANING_DETAILS = {
    "negative": {
        "ru": ("Ждал {i} очень долго.", "Звонил в поддержку уже {k}-й раз."),
        "kk": ("Қолдау қызметіне {k} рет қоңырау шалдым.",),
        "en": ("Called support {k} times.",),
    },
    "positive": {
        "ru": (
            "Отправитель упаковал {i} аккуратно.",
            "Пункт выдачи у дома, удобно.",
            "Друзья советовали именно их.",
        ),
        "kk": ("Достарым кеңес берген еді.",),
        "en": ("Friends recommended them.",),
    },
}
CITIES = {
    "ru": ("Москвы", "Казани", "Алматы", "Новосибирска", "Екатеринбурга", "Астаны"),
    "kk": ("Алматы", "Астана", "Шымкент", "Қарағанды", "Ақтөбе"),
    "en": ("Almaty", "Moscow", "Astana", "Kazan", "Novosibirsk"),
}
AUTHORS = (
    "Анна К.",
    "Дмитрий",
    "Айгерім",
    "Нұрлан С.",
    "Olga P.",
    "Marat",
    "Елена В.",
    "Сергей",
    "Дана",
    "Alex M.",
    "Ержан",
    "Ирина Л.",
    "Тимур",
    "Kate",
    "Асель",
)
CHANNEL_WEIGHTS = (
    ("vk", 18),
    ("telegram", 14),
    ("instagram", 12),
    ("review", 16),
    ("marketplace", 14),
    ("appstore", 8),
    ("maps", 10),
    ("news", 8),
)
RATED = {"review", "marketplace", "appstore", "maps"}
SOCIAL = {"vk", "telegram", "instagram"}
# Texts that weigh one brand against another ({a}: the brand the row is about, {b}: a rival);
# the per-brand sentiment and the comparison flag have something to show.
COMPARISONS = {
    "ru": (
        "{a} дешевле, чем {b}, но {b} быстрее.",
        "{a} доставил за два дня, а {b} за неделю.",
        "Раньше заказывал через {b}, теперь только {a}: дешевле и без задержек.",
        "{b} опять потерял посылку, а {a} ни разу не подводил.",
        "Сравнила {a} и {b}: у второго поддержка отвечает быстрее, а {a} дешевле.",
    ),
    "kk": (
        "{a} арзан, ал {b} тезірек жеткізеді.",
        "{b} сәлемдемені тағы жоғалтты, ал {a} ешқашан кешікпейді.",
    ),
    "en": (
        "{a} is cheaper than {b}, but {b} is faster.",
        "{b} lost my parcel again, while {a} has never let me down.",
        "Switched from {b} to {a}: cheaper and no delays.",
    ),
}
COMPARISON_SHARE = 0.07

TOPIC_WEIGHTS = (("speed", 38), ("courier", 20), ("price", 14), ("app", 12), ("damage", 16))
LANG_WEIGHTS = (("ru", 62), ("kk", 16), ("en", 22))
SPIKE_DAYS = (24, 18)  # days ago the week of late deliveries starts and ends


@dataclass
class DemoResult:
    """What the demo created."""

    workspace: Workspace
    mentions: int
    brands: int
    tags: int
    stages: list[str]


def generate(count: int = 3000, seed: int = 7, now: datetime | None = None) -> list[dict[str, Any]]:
    """The demo's mentions as import rows (plain dicts), newest last; deterministic per seed."""
    rng = random.Random(seed)
    moment = now or datetime.now(UTC)
    rows = [_row(rng, moment, i, spike=False) for i in range(count)]
    rows += [_row(rng, moment, count + i, spike=True) for i in range(count // 7)]
    return sorted(rows, key=lambda r: str(r["published_at"]))


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


def _row(rng: random.Random, now: datetime, index: int, *, spike: bool) -> dict[str, Any]:
    brand = rng.choices(BRANDS, weights=[b.share for b in BRANDS])[0]
    if spike:
        brand = BRANDS[0]
        days_ago = rng.uniform(SPIKE_DAYS[1], SPIKE_DAYS[0])
        topic, polarity = "speed", "negative"
    else:
        days_ago = rng.uniform(0, 89.9)
        topic = _pick(rng, TOPIC_WEIGHTS)
        polarity = rng.choices(("positive", "neutral", "negative"), weights=brand.mood)[0]
    lang = _pick(rng, LANG_WEIGHTS)
    channel = _pick(rng, CHANNEL_WEIGHTS)
    if topic == "app" and rng.random() < 0.6:
        channel = "appstore"
    if not spike and rng.random() < COMPARISON_SHARE:
        rival = rng.choice([b for b in BRANDS if b is not brand])
        text = rng.choice(COMPARISONS[lang]).format(
            a=rng.choice(brand.names[lang]), b=rng.choice(rival.names[lang])
        )
        text = rng.choice(OPENERS[lang]) + text
    else:
        text = _text(rng, brand, topic, polarity, lang, index)
    published = now - timedelta(days=days_ago)
    row: dict[str, Any] = {
        "id": f"demo-{index}",
        "text": text,
        "published_at": published.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "channel": channel,
        "author": rng.choice(AUTHORS),
        "url": f"https://example.org/{channel}/{index}",
    }
    if channel in RATED:
        base = {"positive": (4, 5), "neutral": (3, 4), "negative": (1, 2)}[polarity]
        row["rating"] = rng.randint(*base)
    if channel == "review":
        row["title"] = _title(text)
    if channel == "maps":
        row["location"] = rng.choice(CITIES["en"])
    if channel in SOCIAL:
        views = int(rng.lognormvariate(6.5, 1.2))
        row.update(
            views=views,
            likes=int(views * rng.uniform(0.005, 0.08)),
            reposts=int(views * rng.uniform(0, 0.01)),
            comments=rng.randint(0, 40),
        )
    if channel == "news":
        row.update(
            author=rng.choice(("Деловой вестник", "Tech Daily KZ", "Логистика сегодня")),
            views=rng.randint(2000, 90000),
        )
    return row


def _text(
    rng: random.Random, brand: DemoBrand, topic: str, polarity: str, lang: str, index: int
) -> str:
    name = rng.choice(brand.names[lang])
    fill = {
        "b": name,
        "n": rng.randint(2, 9),
        "c": rng.choice(CITIES[lang]),
        "o": 100000 + index * 7 % 900000,
        "i": rng.choice(ITEMS[lang]),
        "h": rng.randint(7, 23),
        "k": rng.randint(2, 6),
    }
    sentences = [rng.choice(PHRASES[topic][polarity][lang]).format(**fill)]
    details = list(rng.sample(DETAILS[lang], rng.choice((1, 1, 2, 2, 3))))
    leaning = LEANING_DETAILS.get(polarity, {}).get(lang, ())
    if leaning and rng.random() < 0.4:
        details.append(rng.choice(leaning))
    for detail in details:
        sentences.insert(rng.randint(0, len(sentences)), detail.format(**fill))
    if rng.random() < 0.35:
        other = _pick(rng, TOPIC_WEIGHTS)
        extra = rng.choice(PHRASES[other][polarity][lang]).format(**fill)
        if extra not in sentences:
            sentences.append(extra)
    opener = rng.choice(OPENERS[lang])
    closer = rng.choice(CLOSERS[lang]).format(**fill)
    return (opener + " ".join(sentences) + closer).strip()


def demo_stages(settings: Settings) -> list[str]:
    """The configured stages that are available in this installation, in order."""
    available = set(registry.registered())
    return [s for s in settings.stages if s in available]


def load_demo(
    store: Store,
    settings: Settings,
    *,
    count: int = 3000,
    seed: int = 7,
    now: datetime | None = None,
) -> DemoResult:
    """Create the demo brands and tags and import the generated mentions into the workspace."""
    from otklik import rematch

    ws = store.workspace(settings.workspace, settings.timezone)
    with store.begin() as conn:
        if catalog.list_brands(conn, ws.id):
            raise InputError(
                f"workspace {ws.name!r} already has brands; the demo needs an empty one"
            )
        brands = [catalog.add_brand(conn, ws.id, b.name, b.query, b.own, utcnow()) for b in BRANDS]
        tags = [catalog.add_tag(conn, ws.id, name, query, utcnow()) for name, query in TAGS]
    stages = demo_stages(settings)
    pipeline = build_pipeline(
        settings, brands, tags, stages=stages, sentiment_model=store.sentiment_model(ws)
    )
    with tempfile.TemporaryDirectory(prefix="otklik-demo-") as folder:
        path = Path(folder) / "demo.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for row in generate(count, seed, now):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        options = ImportOptions(source="demo", format="jsonl", batch_size=settings.batch_size)
        result = import_file(store, ws, pipeline, path, options)
    if "brands" not in stages:
        for b in brands:
            rematch.rematch_brand_by_search(store, ws, b)
    if "tags" not in stages:
        for t in tags:
            rematch.rematch_tag_by_search(store, ws, t)
    _case_work(store, ws, seed)
    return DemoResult(ws, result.imported, len(brands), len(tags), stages)


def _case_work(store: Store, ws: Workspace, seed: int) -> None:
    """Some cases already worked on, so the feed's status filter has something to show."""
    from otklik.domain.filters import Filters

    rng = random.Random(seed)
    page, _ = store.mentions(ws, Filters(channel=("review", "marketplace")), limit=60)
    for record in page[10:]:
        mid = record.mention.id
        if mid is None:
            continue
        choice = rng.random()
        if choice < 0.5:
            store.add_note(
                ws,
                mid,
                "reply",
                "Здравствуйте! Разбираемся, напишем в течение дня.",
                "support@bystropost.example",
            )
        if choice < 0.3:
            store.update_case(ws, mid, status="resolved", assignee="support@bystropost.example")
        elif choice < 0.6:
            store.update_case(ws, mid, assignee="analyst@bystropost.example")


def _title(text: str, limit: int = 60) -> str:
    """A review's title: its first sentence, cut at a word (with "…") when too long."""
    first = text.split(".")[0].strip()
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0].rstrip(",;:—- ") + "…"
