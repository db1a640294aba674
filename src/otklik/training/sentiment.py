"""Train the compact sentiment model from labelled CSV files, and measure any backend."""

from __future__ import annotations

import csv
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from otklik.errors import InputError
from otklik.pipeline.sentiment_backends.base import LABELS, SentimentBackend
from otklik.pipeline.sentiment_backends.compact import CompactModel, Featuriser

# Data sets the shipped model learns from, with the language of their texts.
TRAIN_SETS: dict[str, str] = {
    "kazsandra_3class": "kk",
    "sentirueval_banks_telecom": "ru",
    "rusentitweet_3class": "ru",
    "tweeteval_sentiment_valtest": "en",
}
# Non-commercial licence: measured on, never trained on.
EVAL_ONLY_SETS: dict[str, str] = {"twitter_us_airline": "en"}


@dataclass(frozen=True)
class LabelledText:
    """A text with its label and how much it counts in training (corrections count more)."""

    text: str
    label: str
    weight: float = 1.0


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides the trained model; the defaults produce the shipped one."""

    featuriser: Featuriser = field(default_factory=lambda: Featuriser(20, 2, 5))
    c: float = 8.0
    max_iter: int = 300
    # Each data set's weight is (mean size / its size) ** set_balance.
    set_balance: float = 0.5
    # Class weights are (1 / (3 * class share)) ** balance: for the softmax model and NB-SVM.
    class_balance: float = 1.0
    nb_class_balance: float = 0.5
    # Share of the NB-SVM model in the average of the two linear models' weights.
    nb_mix: float = 0.5


@dataclass
class Evaluation:
    """Accuracy, macro-F1, per-class F1 and the confusion matrix (rows true, columns predicted)."""

    n: int
    accuracy: float
    macro_f1: float
    per_class_f1: dict[str, float]
    confusion: list[list[int]]

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON output."""
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_class_f1": self.per_class_f1,
            "labels": list(LABELS),
            "confusion": self.confusion,
        }


@dataclass
class TrainReport:
    """What training did: sizes, time, and the model's scores on every dev split."""

    out_path: Path
    train_sizes: dict[str, int]
    extra_examples: int
    seconds: float
    temperature: float
    dev: dict[str, Evaluation]

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON output."""
        return {
            "out_path": str(self.out_path),
            "train_sizes": self.train_sizes,
            "extra_examples": self.extra_examples,
            "seconds": round(self.seconds, 1),
            "temperature": self.temperature,
            "dev": {name: ev.as_dict() for name, ev in self.dev.items()},
        }


def read_labelled_csv(
    path: Path, text_column: str = "text", label_column: str = "label"
) -> tuple[list[str], list[str]]:
    """Texts and labels from a CSV file; labels must be positive, neutral or negative."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {text_column, label_column} - set(reader.fieldnames or ())
            if missing:
                raise InputError(
                    f"{path}: no column {', '.join(sorted(missing))}; columns are "
                    f"{', '.join(reader.fieldnames or ())}; pick them with --text-column "
                    "and --label-column"
                )
            texts, labels = [], []
            for line, row in enumerate(reader, start=2):
                label = (row[label_column] or "").strip().lower()
                if label not in LABELS:
                    raise InputError(
                        f"{path}, row {line}, column {label_column}: label {label!r} is not "
                        f"one of {', '.join(LABELS)}"
                    )
                texts.append(row[text_column] or "")
                labels.append(label)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    return texts, labels


def evaluate(backend: SentimentBackend, texts: Sequence[str], labels: Sequence[str]) -> Evaluation:
    """Score a backend on labelled texts."""
    predicted: list[str] = []
    for start in range(0, len(texts), 1000):
        chunk = texts[start : start + 1000]
        predicted += [p.label for p in backend.predict(chunk, [None] * len(chunk))]
    return score_labels(labels, predicted)


def score_labels(truth: Sequence[str], predicted: Sequence[str]) -> Evaluation:
    """Accuracy, macro-F1, per-class F1 and confusion matrix of predicted against true labels."""
    index = {label: k for k, label in enumerate(LABELS)}
    confusion = np.zeros((len(LABELS), len(LABELS)), dtype=np.int64)
    for t, p in zip(truth, predicted, strict=True):
        confusion[index[t], index[p]] += 1
    tp = np.diag(confusion).astype(np.float64)
    support, chosen = confusion.sum(axis=1), confusion.sum(axis=0)
    denom = support + chosen
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    present = support > 0
    n = int(confusion.sum())
    return Evaluation(
        n=n,
        accuracy=float(tp.sum() / n) if n else 0.0,
        macro_f1=float(f1[present].mean()) if present.any() else 0.0,
        per_class_f1={label: round(float(f1[k]), 4) for k, label in enumerate(LABELS)},
        confusion=confusion.tolist(),
    )


def train_sentiment(
    data_dir: Path,
    out_path: Path,
    extra_examples: Iterable[LabelledText] = (),
    config: TrainConfig | None = None,
) -> TrainReport:
    """Train the compact model on the permitted train splits plus extra examples; save it."""
    config = config or TrainConfig()
    started = time.perf_counter()
    texts: list[str] = []
    labels: list[str] = []
    set_labels: list[list[str]] = []
    sizes: dict[str, int] = {}
    for name in TRAIN_SETS:
        path = Path(data_dir) / name / "train.csv"
        if not path.exists():
            continue
        set_texts, labels_of_set = read_labelled_csv(path)
        sizes[name] = len(set_texts)
        texts += set_texts
        labels += labels_of_set
        set_labels.append(labels_of_set)
    if not sizes:
        raise InputError(
            f"{data_dir}: none of {', '.join(TRAIN_SETS)} has a train.csv; point --data at "
            "the folder that holds them"
        )
    extra = list(extra_examples)
    texts += [e.text for e in extra]
    labels += [e.label for e in extra]
    extra_weights = np.array([e.weight for e in extra], dtype=np.float64)
    matrix, idf = featurise_corpus(texts, config.featuriser)
    models = []
    for balance, is_nb in ((config.class_balance, False), (config.nb_class_balance, True)):
        weights = np.concatenate(
            [_sample_weights(set_labels, balance, config.set_balance), extra_weights]
        )
        models.append(fit_matrix(matrix, idf, labels, weights, config, nb=is_nb))
    mix = config.nb_mix
    model = CompactModel(
        featuriser=config.featuriser,
        weights=(1 - mix) * models[0].weights + mix * models[1].weights,
        bias=(1 - mix) * models[0].bias + mix * models[1].bias,
        idf=idf,
    ).round_trip()
    dev = _dev_sets(Path(data_dir))
    model.script_bias = _tune_script_bias(model, dev)
    model.temperature = _fit_temperature(model, dev)
    model.info = {"train_sizes": sizes, "extra_examples": len(extra)}
    model.save(Path(out_path))
    saved = CompactModel.read(Path(out_path))
    results = {name: score_labels(y, _labels_of(saved, x)) for name, (x, y) in dev.items()}
    results.update(
        {
            name: score_labels(y, _labels_of(saved, x))
            for name, (x, y) in _dev_sets(Path(data_dir), EVAL_ONLY_SETS).items()
        }
    )
    return TrainReport(
        out_path=Path(out_path),
        train_sizes=sizes,
        extra_examples=len(extra),
        seconds=time.perf_counter() - started,
        temperature=model.temperature,
        dev=results,
    )


def featurise_corpus(texts: Sequence[str], featuriser: Featuriser) -> tuple[Any, Any]:
    """The corpus's TF-IDF matrix (CSR) and the idf vector learnt from it."""
    from scipy.sparse import csr_matrix, vstack

    df = np.zeros(featuriser.dim, dtype=np.float64)
    for start in range(0, len(texts), 5000):
        rows, cols = featuriser.counts(texts[start : start + 5000])
        unique_cols = np.unique(rows * featuriser.dim + cols) % featuriser.dim
        df += np.bincount(unique_cols, minlength=featuriser.dim)
    idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float16).astype(np.float32)
    parts = []
    for start in range(0, len(texts), 5000):
        chunk = texts[start : start + 5000]
        rows, cols, vals = featuriser.transform(chunk, idf)
        parts.append(csr_matrix((vals, (rows, cols)), shape=(len(chunk), featuriser.dim)))
    return vstack(parts).tocsr(), idf


def fit_matrix(
    matrix: Any,
    idf: npt.NDArray[np.float32],
    labels: Sequence[str],
    sample_weight: npt.NDArray[np.float64],
    config: TrainConfig,
    nb: bool = False,
) -> CompactModel:
    """Fit logistic regression (softmax, or NB-SVM one-vs-rest) on a featurised corpus."""
    from sklearn.linear_model import LogisticRegression

    index = {label: k for k, label in enumerate(LABELS)}
    y = np.array([index[label] for label in labels])
    present = sorted(set(y.tolist()))
    sample_weight = sample_weight / sample_weight.mean()
    weights = np.zeros((matrix.shape[1], len(LABELS)), dtype=np.float32)
    bias = np.full(len(LABELS), -30.0, dtype=np.float32)
    if nb and len(present) == len(LABELS):
        # NB-SVM: one-vs-rest logistic regressions over features scaled by each class's
        # log-count ratio; the scaling folds into the weights, so inference is unchanged.
        binary = (matrix > 0).astype(np.float32)
        for cls in present:
            is_cls = y == cls
            pos = np.asarray(binary[is_cls].T @ sample_weight[is_cls]).ravel() + 1.0
            neg = np.asarray(binary[~is_cls].T @ sample_weight[~is_cls]).ravel() + 1.0
            ratio = np.log((pos / pos.sum()) / (neg / neg.sum())).astype(np.float32)
            scaled = matrix @ _diag(ratio)
            classifier = LogisticRegression(C=config.c, max_iter=config.max_iter, tol=1e-4)
            _quiet_fit(classifier, scaled, is_cls.astype(np.int64), sample_weight)
            weights[:, cls] = classifier.coef_[0] * ratio
            bias[cls] = classifier.intercept_[0]
        return CompactModel(featuriser=config.featuriser, weights=weights, bias=bias, idf=idf)
    classifier = LogisticRegression(C=config.c, max_iter=config.max_iter, tol=1e-4)
    _quiet_fit(classifier, matrix, y, sample_weight)
    if len(present) == 2:
        # sklearn keeps one column for two classes; spread it as +-half so softmax agrees.
        half = classifier.coef_[0] / 2
        weights[:, present[0]], weights[:, present[1]] = -half, half
        bias[present[0]] = -classifier.intercept_[0] / 2
        bias[present[1]] = classifier.intercept_[0] / 2
    else:
        for k, cls in enumerate(classifier.classes_):
            weights[:, cls] = classifier.coef_[k]
            bias[cls] = classifier.intercept_[k]
    return CompactModel(featuriser=config.featuriser, weights=weights, bias=bias, idf=idf)


def _quiet_fit(classifier: Any, matrix: Any, y: Any, sample_weight: Any) -> None:
    # The iteration cap is part of the recipe (same file every run, bounded time); stopping
    # at it is expected, not a problem to warn about.
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier.fit(matrix, y, sample_weight=sample_weight)


def _diag(values: npt.NDArray[np.float32]) -> Any:
    from scipy.sparse import diags

    return diags(values, format="csr")


def _sample_weights(
    set_labels: Sequence[Sequence[str]], class_balance: float, set_balance: float
) -> npt.NDArray[np.float64]:
    # Inverse class share raised to a power (0 leaves the data as is, 1 fully balances),
    # times a per-set factor so the largest set does not drown the others.
    mean_size = float(np.mean([len(labels) for labels in set_labels]))
    parts = []
    for labels in set_labels:
        values, counts = np.unique(np.asarray(labels), return_counts=True)
        share = dict(zip(values.tolist(), (counts / counts.sum()).tolist(), strict=True))
        factor = (mean_size / len(labels)) ** set_balance
        parts.append(np.array([factor * (1 / (3 * share[y])) ** class_balance for y in labels]))
    return np.concatenate(parts)


def _tune_script_bias(
    model: CompactModel, dev: dict[str, tuple[list[str], list[str]]]
) -> npt.NDArray[np.float32]:
    # Per script, class offsets that maximise the mean macro-F1 over the dev splits:
    # coordinate search on a coarse grid, two rounds, deterministic.
    bias = np.zeros((3, len(LABELS)), dtype=np.float32)
    if not dev:
        return bias
    index = {label: k for k, label in enumerate(LABELS)}
    sets = []
    for texts, labels in dev.values():
        _, _, _, scripts = model.featuriser.transform_with_scripts(texts, model.idf)
        truth = np.array([index[y] for y in labels])
        sets.append((model.logits(texts) - model.script_bias[scripts], scripts, truth))
    grid = np.round(np.arange(-1.0, 1.01, 0.1), 1)

    def mean_f1(candidate: npt.NDArray[np.float32]) -> float:
        return float(np.mean([macro_f1_of(t, (z + candidate[g]).argmax(1)) for z, g, t in sets]))

    best = mean_f1(bias)
    for _ in range(2):
        for script in range(3):
            for neutral in grid:
                for positive in grid:
                    candidate = bias.copy()
                    candidate[script] = (0.0, neutral, positive)
                    score = mean_f1(candidate)
                    if score > best + 1e-9:
                        best, bias = score, candidate
    return bias


def macro_f1_of(truth: npt.NDArray[np.int64], predicted: npt.NDArray[np.int64]) -> float:
    """Macro-F1 of class indices over the classes present in `truth`."""
    confusion = np.bincount(truth * 3 + predicted, minlength=9).reshape(3, 3)
    tp = np.diag(confusion)
    denom = confusion.sum(0) + confusion.sum(1)
    present = confusion.sum(1) > 0
    f1 = np.divide(2 * tp, denom, out=np.zeros(3), where=denom > 0)
    return float(f1[present].mean())


def _dev_sets(
    data_dir: Path, sets: dict[str, str] = TRAIN_SETS
) -> dict[str, tuple[list[str], list[str]]]:
    out = {}
    for name in sets:
        path = data_dir / name / "dev.csv"
        if path.exists():
            out[name] = read_labelled_csv(path)
    return out


def _labels_of(model: CompactModel, texts: Sequence[str]) -> list[str]:
    probs = model.probabilities(texts)
    return [LABELS[k] for k in probs.argmax(axis=1).tolist()]


def _fit_temperature(model: CompactModel, dev: dict[str, tuple[list[str], list[str]]]) -> float:
    # One temperature for all dev splits, by grid search on their pooled log-loss.
    if not dev:
        return 1.0
    texts = [t for x, _ in dev.values() for t in x]
    index = {label: k for k, label in enumerate(LABELS)}
    y = np.array([index[label] for _, ys in dev.values() for label in ys])
    logits = model.logits(texts)
    best, best_loss = 1.0, float("inf")
    for temperature in np.round(np.arange(0.3, 3.01, 0.05), 2).tolist():
        z = logits / temperature
        z -= z.max(axis=1, keepdims=True)
        log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = float(-log_probs[np.arange(len(y)), y].mean())
        if loss < best_loss:
            best, best_loss = temperature, loss
    return float(best)


# A person's correction counts this many times a training text: there are few of them, and
# they speak for this workspace's own data.
CORRECTION_WEIGHT = 5.0
# Every HELD_BACK_EVERY-th correction (oldest first) is kept out of training to measure on.
HELD_BACK_EVERY = 5


@dataclass
class WorkspaceReport:
    """A workspace retraining: the training report and before/after on held-back corrections."""

    train: TrainReport
    held_back: int
    before: Evaluation | None
    after: Evaluation | None

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON output."""
        return {
            **self.train.as_dict(),
            "held_back": self.held_back,
            "before": self.before.as_dict() if self.before else None,
            "after": self.after.as_dict() if self.after else None,
        }


def split_held_back(
    corrections: Sequence[LabelledText], every: int = HELD_BACK_EVERY
) -> tuple[list[LabelledText], list[LabelledText]]:
    """Corrections to train on and those held back (every `every`-th, oldest first)."""
    train = [c for k, c in enumerate(corrections) if k % every != every - 1]
    held = [c for k, c in enumerate(corrections) if k % every == every - 1]
    return train, held


def train_workspace(
    data_dir: Path,
    out_path: Path,
    corrections: Sequence[LabelledText],
    baseline: SentimentBackend,
    config: TrainConfig | None = None,
) -> WorkspaceReport:
    """Retrain on the shipped data plus a workspace's corrections; compare with `baseline`
    (the model in use before) on the corrections held back from training."""
    from otklik.pipeline.sentiment_backends.compact import CompactBackend

    learn, held = split_held_back(corrections)
    weighted = [LabelledText(c.text, c.label, CORRECTION_WEIGHT * c.weight) for c in learn]
    report = train_sentiment(data_dir, out_path, weighted, config)
    before = after = None
    if held:
        texts, labels = [c.text for c in held], [c.label for c in held]
        before = evaluate(baseline, texts, labels)
        after = evaluate(CompactBackend(Path(out_path)), texts, labels)
    return WorkspaceReport(report, len(held), before, after)
