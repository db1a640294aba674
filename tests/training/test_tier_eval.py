"""`otklik eval sentiment --cs`: every tier per language, class and confusion matrix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from otklik.training.tier_eval import LabelledSet, read_cs_set, score_set


def test_score_set_splits_by_language() -> None:
    labelled = LabelledSet(
        "cs",
        ["a", "b", "c", "d"],
        ["negative", "positive", "neutral", "negative"],
        ["ru", "ru", "en", "en"],
    )
    result = score_set(labelled, ["negative", "neutral", "neutral", "positive"])
    assert set(result) == {"all", "ru", "en"}
    assert result["all"]["n"] == 4
    assert result["ru"]["confusion"][2][1] == 1  # positive read as neutral
    assert result["en"]["accuracy"] == 0.5


def test_cs_set_reads_with_languages() -> None:
    cs = read_cs_set(Path("bench/data/cs_eval.csv"))
    assert len(cs.texts) >= 900
    for language in ("ru", "kk", "en"):
        assert cs.languages.count(language) >= 300


def test_eval_command_scores_compact_tier_per_language(tmp_path: Path) -> None:
    path = tmp_path / "cs.csv"
    path.write_text(
        "text,label,language\n"
        "Спасибо большое!,positive,ru\n"
        "Ужасный сервис,negative,ru\n"
        "Thank you so much!,positive,en\n"
        "Where is the store?,neutral,en\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "otklik",
            "eval",
            "sentiment",
            "--cs",
            str(path),
            "--tier",
            "compact",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)["compact"]["cs"]
    assert set(result) == {"all", "ru", "en"}
    assert result["all"]["n"] == 4 and result["ru"]["n"] == 2
    assert len(result["en"]["confusion"]) == 3
