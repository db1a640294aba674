"""Where the language stage goes wrong on the cases issue 12 names, on dev texts and the demo:
Latin-script Kazakh (KazSAnDRA dev texts with no Cyrillic) must not come out English; one- or
two-word Russian posts (words and word pairs drawn from the Russian dev splits, seed 0) must not
come out Kazakh; English dev texts must stay English; short Kazakh posts typed without Kazakh
letters should stay Kazakh; the demo's texts should come out in the script they are written in.

Usage: python bench/language_accuracy.py [DATA_DIR]
"""

from __future__ import annotations

import argparse
import random
import re
from collections import Counter
from pathlib import Path

from otklik.demo import generate
from otklik.pipeline.registry import build
from otklik.pipeline.stage import Item
from otklik.training.sentiment import read_labelled_csv

_WORD = re.compile(r"[^\W\d_]+")
_KAZAKH_LETTER = re.compile("[әғқңөұүһі]", re.IGNORECASE)
_CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", default="../shared/data/sentiment", type=Path)
    args = parser.parse_args()
    stage = build("language")
    stage.load()

    def detect(texts: list[str]) -> Counter[str | None]:
        items = [Item.of(t) for t in texts]
        for item in items:
            item.values["clean_text"] = item["text"]
        return Counter(d.language for d in stage.run(items))

    def dev(name: str) -> list[str]:
        return read_labelled_csv(args.data / name / "dev.csv")[0]

    kazakh = dev("kazsandra_3class")
    latin = [t for t in kazakh if not _CYRILLIC.search(t) and re.search("[a-z]", t, re.I)]
    short_kk = [
        t
        for t in kazakh
        if _CYRILLIC.search(t) and not _KAZAKH_LETTER.search(t) and len(_WORD.findall(t)) <= 2
    ]
    russian = dev("rusentitweet_3class") + dev("sentirueval_banks_telecom")
    rng = random.Random(0)
    words = [w for t in russian for w in re.findall("[а-яё]+", t.lower()) if len(w) > 2]
    one = rng.sample(words, 500)
    pairs = [re.findall("[А-Яа-яЁё]+", t) for t in rng.sample(russian, 800)]
    two = [" ".join(rng.sample(p, 2)) for p in pairs if len(p) >= 2][:500]
    english = dev("tweeteval_sentiment_valtest") + dev("twitter_us_airline")
    for name, texts in (
        ("KazSAnDRA dev, Latin script (want kk)", latin),
        ("KazSAnDRA dev, <=2 Cyrillic words, no Kazakh letters (want kk)", short_kk),
        ("Russian dev words, one (want ru)", one),
        ("Russian dev word pairs (want ru)", two),
        ("English dev, TweetEval + US airline (want en)", english),
    ):
        print(f"{name}: {len(texts)} -> {dict(detect(texts))}")
    demo = [row["text"] for row in generate(3000)]
    script = Counter(
        "kk" if _KAZAKH_LETTER.search(t) else "ru" if _CYRILLIC.search(t) else "en" for t in demo
    )
    print(f"demo (3,000 rows and spikes): by script {dict(script)} -> {dict(detect(demo))}")


if __name__ == "__main__":
    main()
