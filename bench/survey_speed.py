"""Survey answers per second through `surveys.respond` (checked, a mention through intake with
the full pipeline, a case when needed) and the time of a report over many responses.

Usage: python bench/survey_speed.py [--answers 200] [--database-url sqlite:///tmp/b.db]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from otklik.search_terms import open_store
from otklik.services import Services
from otklik.services import surveys as service
from otklik.settings import Settings

OPEN = [
    "Жеткізу тез болды, рахмет",
    "Курьер опоздал на два дня, упаковка мятая",
    "Great product, will buy again",
    "Тапсырыс кешікті, қолдау жауап бермеді",
    "Всё отлично, спасибо!",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    store = open_store(url)
    store.init()
    svc = Services.open(Settings(database_url=url), store, keep_pipelines=True)
    ws = svc.workspace()
    record = service.add_from_template(svc, ws, f"bench {time.time_ns()}", "post-purchase")
    rng = random.Random(7)
    service.respond(svc, ws, record, {"nps": 9}, "ru", "api")  # models load once
    started = time.perf_counter()
    for _ in range(args.answers):
        nps = rng.randint(0, 10)
        answers = {"nps": nps, "improve": rng.choice(OPEN), "category": "furniture"}
        service.respond(svc, ws, record, answers, rng.choice(["ru", "kk", "en"]), "api")
    took = time.perf_counter() - started
    print(f"{args.answers} answers in {took:.2f} s: {args.answers / took:.1f} answers/s ({url})")
    started = time.perf_counter()
    found = service.report(svc, ws, record.name, by=["category", "language"])
    print(
        f"report over {found['responses']} responses in {time.perf_counter() - started:.3f} s: "
        f"NPS {found['nps']} {found['nps_ci']}"
    )
    store.close()


if __name__ == "__main__":
    main()
