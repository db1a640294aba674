"""Time `otklik import` end to end on N synthetic mixed ru/kk/en mentions.

Usage: python bench/import_speed.py [--rows 100000] [--stages normalise,language,dedupe]
       [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--cpu]
Prints mentions/s for each database; the numbers go to the issue note, never into tests.
With --cpu it also prints the CPU time (user + sys) of the import and every process it
started (the analysis process included), per 10,000 rows, and the load average: on a busy
machine the CPU time is the steadier measure.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RU = [
    "Доставка задержалась на {n} дня, курьер не отвечает",
    "Заказ пришёл вовремя, упаковка целая, спасибо",
    "Цены выросли, а качество упало. Больше не закажу",
    "Приложение вылетает при оплате картой",
    "Оператор поддержки вежливо помог вернуть деньги за заказ {n}",
    "Пункт выдачи на {n}-й улице закрыт",
]
KK = [
    "Жеткізу {n} күнге кешікті, курьер телефон алмайды",
    "Тапсырыс уақытында келді, рахмет!",
    "Бағасы қымбат, бірақ сапасы жақсы",
    "Қосымша төлем кезінде қатып қалады",
]
EN = [
    "Delivery was {n} days late and nobody answered",
    "Great service, parcel arrived on time",
    "Prices went up again, quality went down",
    "The app crashes when I pay by card",
]
CHANNELS = ["vk", "telegram", "Отзовик", "Wildberries", "App Store", "2ГИС", "news"]


OPENERS = {
    "ru": ["Честно говоря,", "Вчера", "Уже второй раз", "Коротко:", "Друзья,", "Ну что сказать,"],
    "kk": ["Шынымды айтсам,", "Кеше", "Екінші рет", "Қысқасы:", "Достар,"],
    "en": ["Honestly,", "Yesterday", "Second time now:", "In short:", "Folks,"],
}
WORDS = {
    "ru": "заказ курьер склад город посылка оплата возврат карта магазин коробка неделя".split(),
    "kk": "тапсырыс курьер қойма қала сәлемдеме төлем қайтару карта дүкен қорап апта".split(),
    "en": "order courier warehouse city parcel payment refund card shop box phone week".split(),
}


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write a CSV export of `rows` mentions, varied the way real feedback is."""
    rng = random.Random(seed)
    pools = {"ru": RU, "kk": KK, "en": EN}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "text", "author", "rating", "platform", "likes"])
        for i in range(rows):
            lang = rng.choices(["ru", "kk", "en"], weights=[6, 2, 2])[0]
            parts = [rng.choice(OPENERS[lang])]
            for _ in range(rng.randint(1, 3)):
                parts.append(rng.choice(pools[lang]).format(n=rng.randint(2, 9)) + ".")
                parts.append(" ".join(rng.choices(WORDS[lang], k=rng.randint(2, 6))) + ".")
            writer.writerow(
                [
                    i,
                    f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} "
                    f"{rng.randint(0, 23):02d}:00",
                    " ".join(parts),
                    f"user{rng.randint(1, rows // 3 + 1)}",
                    rng.randint(1, 5),
                    rng.choice(CHANNELS),
                    rng.randint(0, 500),
                ]
            )


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(url: str, path: Path, stages: str | None) -> tuple[float, float]:
    """Seconds for `otklik init` + `otklik import` (the import alone is timed), and the CPU
    seconds of the import's processes (they are waited for, so their children count too)."""
    env = {**os.environ, "OTKLIK_DATABASE_URL": url}
    if stages:
        env["OTKLIK_STAGES"] = stages
    exe = [sys.executable, "-m", "otklik"]
    subprocess.run([*exe, "init"], env=env, check=True, capture_output=True)
    cpu_before = _cpu_of_children()
    start = time.perf_counter()
    done = subprocess.run(
        [*exe, "import", str(path)], env=env, check=True, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    cpu = _cpu_of_children() - cpu_before
    print(done.stdout.strip().splitlines()[-1])
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--stages", help="OTKLIK_STAGES for the run (default: the settings' default)"
    )
    parser.add_argument("--postgres", help="also time a PostgreSQL database (it is reset first)")
    parser.add_argument(
        "--cpu", action="store_true", help="also print CPU seconds per 10,000 rows and the load"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "mentions.csv"
        generate(data, args.rows)
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}")]
        if args.postgres:
            import sqlalchemy as sa

            engine = sa.create_engine(args.postgres)
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
            targets.append(("postgresql", args.postgres))
        for name, url in targets:
            load_before = os.getloadavg()[0]
            seconds, cpu = run(url, data, args.stages)
            print(
                f"{name}: {args.rows} mentions in {seconds:.1f} s = "
                f"{args.rows / seconds:,.0f} mentions/s "
                f"(stages: {args.stages or 'default'})"
            )
            if args.cpu:
                print(
                    f"{name}: CPU {cpu:.1f} s (user+sys, all processes) = "
                    f"{cpu / args.rows * 10_000:.2f} s per 10,000 rows; "
                    f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
                )


if __name__ == "__main__":
    main()
