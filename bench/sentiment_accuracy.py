"""Macro-F1 per dev split: the TF-IDF + logistic-regression floor against the shipped model.

Usage: python bench/sentiment_accuracy.py [DATA_DIR] [--model PATH] [--skip-floor]
The floor is trained per data set on its own train split (US-airline: on TweetEval's, as the
airline set may not be trained on); the shipped model is one model for all sets.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from otklik.pipeline.sentiment_backends.compact import CompactBackend
from otklik.training.sentiment import EVAL_ONLY_SETS, TRAIN_SETS, evaluate, read_labelled_csv

FLOOR_TRAIN = {name: name for name in TRAIN_SETS} | {
    "twitter_us_airline": "tweeteval_sentiment_valtest"
}


def floor_macro_f1(data: Path, train_set: str, dev_set: str) -> float:
    """Train the floor on one train split and score it on one dev split."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    x_train, y_train = read_labelled_csv(data / train_set / "train.csv")
    x_dev, y_dev = read_labelled_csv(data / dev_set / "dev.csv")
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    train = hstack([words.fit_transform(x_train), chars.fit_transform(x_train)]).tocsr()
    dev = hstack([words.transform(x_dev), chars.transform(x_dev)]).tocsr()
    model = LogisticRegression(max_iter=1000).fit(train, y_train)
    return float(f1_score(y_dev, model.predict(dev), average="macro"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", default="../shared/data/sentiment", type=Path)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--skip-floor", action="store_true")
    args = parser.parse_args()
    backend = CompactBackend(args.model)
    backend.load()
    print(f"{'dev split':32} {'floor':>7} {'model':>7} {'acc':>7}  per-class F1 (neg/neu/pos)")
    for name in [*TRAIN_SETS, *EVAL_ONLY_SETS]:
        texts, labels = read_labelled_csv(args.data / name / "dev.csv")
        result = evaluate(backend, texts, labels)
        floor = (
            "" if args.skip_floor else f"{floor_macro_f1(args.data, FLOOR_TRAIN[name], name):.4f}"
        )
        per_class = "/".join(f"{v:.3f}" for v in result.per_class_f1.values())
        print(f"{name:32} {floor:>7} {result.macro_f1:7.4f} {result.accuracy:7.4f}  {per_class}")


if __name__ == "__main__":
    main()
