"""Campaign report speed on the demo's marketing data: posts import, building the report,
and rendering it as PDF, XLSX and HTML (median of a few runs).

Usage: python bench/report_speed.py [--posts-scale N] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from otklik import demo_campaign
from otklik.search_terms import open_store
from otklik.services import Services, catalog, demo, posts, reports
from otklik.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts-scale", type=int, default=20, help="copies of the demo posts")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        store = open_store(url)
        store.init()
        svc = Services.open(Settings(database_url=url, stages=("normalise",)), store)
        ws = svc.workspace()
        catalog.add_brand(svc, ws, "Быстрая Почта", '"Быстрая Почта"', True)
        now = datetime.now(UTC)
        demo.load_campaign(svc, ws, now)
        big = Path(folder) / "posts.csv"
        header, *rows = demo_campaign.posts_csv(now.date()).splitlines()
        copies = [r.replace("/demo/", f"/copy{i}/") for i in range(args.posts_scale) for r in rows]
        big.write_text("\n".join([header, *copies]) + "\n", encoding="utf-8")
        started = time.perf_counter()
        result = posts.import_sheet(svc, ws, big, "post")
        took = time.perf_counter() - started
        print(f"posts import: {result.added} rows in {took:.2f} s ({result.added / took:.0f}/s)")
        timings: dict[str, list[float]] = {"build": [], "pdf": [], "xlsx": [], "html": []}
        for _ in range(args.runs):
            started = time.perf_counter()
            data = reports.campaign_report(svc, ws, demo_campaign.CAMPAIGN, now.date())
            timings["build"].append(time.perf_counter() - started)
            for fmt in ("pdf", "xlsx", "html"):
                started = time.perf_counter()
                reports.render(data, fmt, "kk", ws.timezone)
                timings[fmt].append(time.perf_counter() - started)
        for name, values in timings.items():
            print(f"{name}: median {statistics.median(values):.2f} s over {len(values)} runs")
        store.close()


if __name__ == "__main__":
    main()
