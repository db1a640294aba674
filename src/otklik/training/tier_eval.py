"""Score every sentiment tier (floor, compact, encoder, cascade) on every dev split and on a
customer-service set, per language and per class, with confusion matrices."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from otklik.errors import InputError
from otklik.pipeline.sentiment_backends.base import LABELS
from otklik.training.sentiment import (
    EVAL_ONLY_SETS,
    TRAIN_SETS,
    Evaluation,
    read_labelled_csv,
    score_labels,
)

TIERS = ("floor", "compact", "encoder", "cascade")
Labeller = Callable[[Sequence[str]], list[str]]


@dataclass(frozen=True)
class LabelledSet:
    """Texts with labels and each text's language, named for the report."""

    name: str
    texts: list[str]
    labels: list[str]
    languages: list[str]


def dev_sets(data_dir: Path) -> list[LabelledSet]:
    """Every dev split found under data_dir (train sets first, then evaluation-only sets)."""
    out = []
    for name, language in {**TRAIN_SETS, **EVAL_ONLY_SETS}.items():
        path = Path(data_dir) / name / "dev.csv"
        if path.exists():
            texts, labels = read_labelled_csv(path)
            out.append(LabelledSet(name, texts, labels, [language] * len(texts)))
    if not out:
        raise InputError(f"{data_dir}: no dev.csv in any of {', '.join(TRAIN_SETS)}")
    return out


def read_cs_set(path: Path) -> LabelledSet:
    """A customer-service set: text,label,language (and optional flag columns)."""
    texts, labels = read_labelled_csv(path)
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        languages = [(row.get("language") or "?").strip() for row in csv.DictReader(handle)]
    return LabelledSet(Path(path).stem, texts, labels, languages)


def labeller_for(tier: str, data_dir: Path | None) -> Labeller:
    """A function that labels texts with one tier."""
    from otklik.pipeline.sentiment_backends import load_tier

    if tier == "floor":
        if data_dir is None:
            raise InputError("the floor tier is trained on the fly: give --data")
        return train_floor(data_dir)
    from otklik.pipeline.sentiment_backends.flags import with_service_evidence

    backend = load_tier(tier)
    backend.load()

    def label(texts: Sequence[str]) -> list[str]:
        # As the sentiment stage labels: the tier's prediction with service evidence weighed in.
        out: list[str] = []
        for start in range(0, len(texts), 512):
            chunk = list(texts[start : start + 512])
            predictions = backend.predict(chunk, [None] * len(chunk))
            out += [
                with_service_evidence(p, text).label
                for p, text in zip(predictions, chunk, strict=True)
            ]
        return out

    return label


def train_floor(data_dir: Path) -> Labeller:
    """TF-IDF (word 1–2 + char_wb 2–5, sublinear, min_df 2) + logistic regression trained on
    all permitted train splits pooled: the floor every tier must beat."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts: list[str] = []
    labels: list[str] = []
    for name in TRAIN_SETS:
        path = Path(data_dir) / name / "train.csv"
        if path.exists():
            x, y = read_labelled_csv(path)
            texts += x
            labels += y
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    matrix = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    model = LogisticRegression(max_iter=1000).fit(matrix, labels)

    def label(batch: Sequence[str]) -> list[str]:
        x = hstack([words.transform(batch), chars.transform(batch)]).tocsr()
        return [str(v) for v in model.predict(x)]

    return label


def score_set(labelled: LabelledSet, predicted: Sequence[str]) -> dict[str, Any]:
    """The whole set's scores and, when it holds several languages, each language's."""
    result: dict[str, Any] = {"all": score_labels(labelled.labels, predicted).as_dict()}
    languages = sorted(set(labelled.languages))
    if len(languages) > 1:
        for language in languages:
            idx = [i for i, lang in enumerate(labelled.languages) if lang == language]
            ev: Evaluation = score_labels(
                [labelled.labels[i] for i in idx], [predicted[i] for i in idx]
            )
            result[language] = ev.as_dict()
    return result


def evaluate_tiers(
    sets: Sequence[LabelledSet], tiers: Sequence[str], data_dir: Path | None
) -> dict[str, dict[str, dict[str, Any]]]:
    """{tier: {set name: {"all" | language: evaluation}}} for every tier and set."""
    unknown = [t for t in tiers if t not in TIERS]
    if unknown:
        raise InputError(f"unknown tier {', '.join(unknown)}; tiers are {', '.join(TIERS)}")
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for tier in tiers:
        label = labeller_for(tier, data_dir)
        out[tier] = {s.name: score_set(s, label(s.texts)) for s in sets}
    return out


__all__ = ["LABELS", "TIERS", "LabelledSet", "dev_sets", "evaluate_tiers", "read_cs_set"]
