"""Mentions per second of the brands + tags stages with 50 brand queries and 200 tag rules.

Usage: taskset -c 0 python bench/match_speed.py [DATA_DIR] [--mentions 20000]
Texts are real ru/kk/en posts from DATA_DIR (../shared/data/sentiment); without it, generated
ones. Pins itself to one core. Prints the first pass (empty word caches) and a second pass.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import time
from pathlib import Path

from otklik.pipeline.stage import Item
from otklik.pipeline.stages.brands import BrandRule, BrandsStage
from otklik.pipeline.stages.tags import TagRule, TagsStage

SETS = (
    "sentirueval_banks_telecom",
    "kazsandra_3class",
    "twitter_us_airline",
    "rusentitweet_3class",
)

BRANDS = [
    "Сбербанк OR Сбер OR Sberbank",
    "ВТБ OR VTB",
    'Альфа-Банк OR "Alfa Bank" OR альфабанк',
    "Тинькофф OR Tinkoff OR Т-Банк",
    "Газпромбанк",
    "Райффайзен OR Raiffeisen",
    "Росбанк",
    "Открытие",
    "Совкомбанк",
    "Почта NEAR/1 банк",
    "МТС OR MTS",
    "Билайн OR Beeline",
    "Мегафон OR MegaFon",
    "Tele2 OR Теле2",
    "Ростелеком OR Rostelecom",
    "Yota OR Йота",
    "Kaspi",
    "Halyk OR Халык",
    "Jusan OR Жусан",
    "Freedom NEAR/2 (bank OR банк)",
    "Kcell OR Кселл",
    "Activ OR Актив",
    "Altel OR Алтел",
    "Ozon",
    "Wildberries OR WB",
    "Boxberry",
    "СДЭК OR CDEK",
    "DPD",
    '"Почта России"',
    "Казпочта OR Kazpost",
    "Яндекс OR Yandex",
    "Lamoda",
    "Магнит",
    "Пятёрочка OR Пятерочка",
    "Леруа OR Leroy",
    "United OR @united",
    '"American Airlines" OR AmericanAir',
    "Delta",
    "Southwest OR SouthwestAir",
    "JetBlue",
    'USAirways OR "US Airways"',
    "VirginAmerica",
    "Аэрофлот OR Aeroflot",
    "S7",
    "Победа NEAR/2 авиа*",
    '"Air Astana" OR Эйр Астана',
    "SCAT OR Скат",
    "Glovo",
    "Wolt",
    "Chocofood OR Choco*",
]
TOPICS = [
    "доставка",
    "курьер",
    "опоздал",
    "задержка",
    "цена",
    "дорого",
    "дешево",
    "скидка",
    "возврат",
    "карта",
    "кредит",
    "ипотека",
    "вклад",
    "перевод",
    "комиссия",
    "приложение",
    "поддержка",
    "оператор",
    "звонок",
    "связь",
    "интернет",
    "тариф",
    "роуминг",
    "баланс",
    "списание",
    "мошенник",
    "блокировка",
    "банкомат",
    "отделение",
    "очередь",
    "сотрудник",
    "вежливый",
    "грубый",
    "хамство",
    "качество",
    "брак",
    "упаковка",
    "посылка",
    "заказ",
    "отмена",
    "жеткізу",
    "баға",
    "қымбат",
    "сапа",
    "қызмет",
    "тапсырыс",
    "кешікті",
    "ақша",
    "несие",
    "қолданба",
    "delay",
    "delayed",
    "cancelled",
    "refund",
    "baggage",
    "luggage",
    "seat",
    "crew",
    "staff",
    "rude",
    "helpful",
    "customer",
    "service",
    "flight",
    "gate",
    "hold",
    "phone",
    "wifi",
    "price",
    "fee",
    "upgrade",
    "miles",
    "lost",
    "late",
    "weather",
]


def tag_queries(count: int, rng: random.Random) -> list[str]:
    """Tag rules of the shapes analysts write: ORs of words, NEAR, phrases, prefixes, NOT."""
    shapes = [
        lambda a, b, c: f"{a} OR {b} OR {c}",
        lambda a, b, c: f"({a} OR {b}) NEAR/3 {c}",
        lambda a, b, c: f'"{a} {b}" OR {c}',
        lambda a, b, _c: f"{a[:5]}* NOT {b}",
        lambda a, b, c: f"{a} {b} OR {c}",
    ]
    return [shapes[n % len(shapes)](*rng.sample(TOPICS, 3)) for n in range(count)]


def read_texts(data: Path, count: int, rng: random.Random) -> list[str]:
    """Real posts from the sentiment sets, mixed; generated ones when the data is absent."""
    texts: list[str] = []
    for name in SETS:
        path = data / name / "train.csv"
        if path.exists():
            with path.open(encoding="utf-8", newline="") as handle:
                texts += [row["text"] for row in csv.DictReader(handle)]
    if not texts:
        names = [q.split(" OR ")[0].strip('"') for q in BRANDS]
        texts = [
            f"{rng.choice(names)} {' '.join(rng.sample(TOPICS, 8))} {rng.choice(names)}"
            for _ in range(count)
        ]
    rng.shuffle(texts)
    return (texts * (count // len(texts) + 1))[:count]


def run_pass(
    stages: tuple[BrandsStage, TagsStage], texts: list[str], batch: int
) -> tuple[float, int, int]:
    started = time.perf_counter()
    cpu_started = time.process_time()
    brand_hits = tagged = 0
    for start in range(0, len(texts), batch):
        items = [Item.of(t) for t in texts[start : start + batch]]
        for item in items:
            item.values["clean_text"] = item["text"]
        for item, found in zip(items, stages[0].run(items), strict=True):
            brand_hits += len(found["brand_hits"])
            item.values.update(found)
        tagged += sum(bool(r["tag_ids"]) for r in stages[1].run(items))
    return time.perf_counter() - started, time.process_time() - cpu_started, brand_hits, tagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", default="../shared/data/sentiment", type=Path)
    parser.add_argument("--mentions", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=512)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rng = random.Random(7)
    texts = read_texts(args.data, args.mentions, rng)
    brands = BrandsStage(brands=[BrandRule(n, f"brand {n}", q) for n, q in enumerate(BRANDS, 1)])
    tags = TagsStage(
        tags=[TagRule(n, f"tag {n}", q) for n, q in enumerate(tag_queries(200, rng), 1)]
    )
    started = time.perf_counter()
    brands.load()
    tags.load()
    print(
        f"{len(BRANDS)} brand queries, 200 tag rules compiled in "
        f"{time.perf_counter() - started:.2f} s"
    )
    chars = sum(len(t) for t in texts) / len(texts)
    print(f"{len(texts)} mentions, {chars:.0f} characters on average")
    for label in ("first pass (cold word cache)", "second pass (warm)"):
        seconds, cpu, hits, tagged = run_pass((brands, tags), texts, args.batch)
        print(
            f"{label}: {len(texts) / seconds:,.0f} mentions/s wall, "
            f"{len(texts) / cpu:,.0f} mentions/s per CPU second "
            f"({hits} brand hits, {tagged} tagged mentions)"
        )


if __name__ == "__main__":
    main()
