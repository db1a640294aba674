"""The encoder tier's hidden-layer head: it learns what a linear head cannot, repeats
exactly, and survives a save and read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from otklik.errors import InputError, ModelError
from otklik.pipeline.sentiment_backends.encoder import EncoderHead
from otklik.training.encoder_head import HeadConfig, MlpHead, TunedEncoder


def _rings(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    # Three classes by distance from the origin along two directions: not linearly separable.
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype(np.float32)
    radius = np.hypot(x[:, 0], x[:, 1])
    y = np.digitize(radius, [0.8, 1.6])
    return x / np.linalg.norm(x, axis=1, keepdims=True), y


def test_hidden_layer_head_learns_a_non_linear_rule_and_repeats_exactly() -> None:
    x, y = _rings(3000, 0)
    config = HeadConfig(hidden=32, epochs=30, learning_rate=3e-3)
    head = MlpHead.fit(x, y, np.ones(len(y)), config)
    again = MlpHead.fit(x, y, np.ones(len(y)), config)
    test_x, test_y = _rings(1000, 1)
    accuracy = (head.decision_function(test_x).argmax(axis=1) == test_y).mean()
    linear = np.linalg.lstsq(np.hstack([x, np.ones((len(x), 1))]), np.eye(3)[y], rcond=None)[0]
    linear_accuracy = (
        (np.hstack([test_x, np.ones((len(test_x), 1))]) @ linear).argmax(axis=1) == test_y
    ).mean()
    assert accuracy > linear_accuracy + 0.15
    np.testing.assert_array_equal(head.hidden_weights, again.hidden_weights)


def test_hidden_layer_head_round_trips_through_its_file(tmp_path: Path) -> None:
    x, y = _rings(600, 2)
    mlp = MlpHead.fit(x, y, np.ones(len(y)), HeadConfig(hidden=16, epochs=2))
    head = EncoderHead(
        weights=mlp.coef_.T,
        bias=mlp.intercept_,
        combine_weights=np.zeros((3, 6, 3), np.float32),
        combine_bias=np.zeros((3, 3), np.float32),
        info={"hidden": 16},
        hidden_weights=mlp.hidden_weights,
        hidden_bias=mlp.hidden_bias,
    )
    head.save(tmp_path / "head.npz")
    again = EncoderHead.read(tmp_path / "head.npz")
    np.testing.assert_allclose(
        again.encoder_scores(x), mlp.decision_function(x), rtol=0.02, atol=0.02
    )
    assert again.hidden_weights is not None and again.hidden_weights.shape == (8, 16)


@pytest.mark.parametrize("content", [b"", b"text,label\n", None])
def test_a_file_that_is_no_exported_fine_tune_is_refused_by_name(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "tuned.npz"
    if content is None:
        np.savez(path, weights=np.zeros(3))  # an .npz, but not an exported encoder
    else:
        path.write_bytes(content)
    with pytest.raises(InputError, match="tuned.npz is not a fine-tuned encoder"):
        TunedEncoder.read(path)
    with pytest.raises(ModelError, match="cannot read the encoder head"):
        EncoderHead.read(path)
