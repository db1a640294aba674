from __future__ import annotations

import sys
from pathlib import Path

import pytest

from otklik.errors import ModelError
from otklik.pipeline.sentiment_backends import load_backend
from otklik.pipeline.sentiment_backends.base import LABELS
from otklik.pipeline.sentiment_backends.compact import CompactBackend
from otklik.pipeline.sentiment_backends.transformer import TransformerBackend, map_labels
from otklik.pipeline.stage import Item
from otklik.pipeline.stages.sentiment import SentimentStage

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "отлично", "ужасно", "great", "bad", "!"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("torch", reason="transformer backend needs the extra: otklik[transformers]")
    transformers = pytest.importorskip(
        "transformers", reason="transformer backend needs the extra: otklik[transformers]"
    )
    import torch

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("tiny-bert")
    (path / "vocab.txt").write_text("\n".join(WORDS) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(path / "vocab.txt"))
    config = transformers.BertConfig(
        vocab_size=len(WORDS),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=160,
        num_labels=3,
        id2label={0: "NEG", 1: "NEU", 2: "POS"},
        label2id={"NEG": 0, "NEU": 1, "POS": 2},
    )
    transformers.BertForSequenceClassification(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_transformer_backend_labels_a_batch_from_a_local_model(tiny_model: Path) -> None:
    backend = TransformerBackend(tiny_model, device="cpu", batch_size=2)
    texts = ["отлично !", "ужасно", "", "great " * 500, "bad"]
    predictions = backend.predict(texts, ["ru", "ru", None, "en", "en"])
    assert len(predictions) == len(texts)
    for p in predictions:
        assert p.label in LABELS
        assert abs(sum(p.probabilities.values()) - 1) < 1e-5
        assert p.score == pytest.approx(max(p.probabilities.values()))
    again = backend.predict(texts, [None] * len(texts))
    for first, second in zip(predictions, again, strict=True):
        assert second.probabilities == pytest.approx(first.probabilities)


def test_settings_with_a_model_directory_choose_the_transformer(tiny_model: Path) -> None:
    backend = load_backend(override=tiny_model, device="cpu")
    assert isinstance(backend, TransformerBackend)
    assert isinstance(load_backend(), CompactBackend)
    stage = SentimentStage(model=tiny_model, device="cpu")
    item = Item.of("отлично", rating=1)
    item.values.update(clean_text="отлично", language="ru")
    [result] = stage.run([item])
    assert result.sentiment != "positive"


def test_model_labels_map_from_common_names() -> None:
    assert map_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}) == list(LABELS)
    assert map_labels({0: "neg", 1: "neu", 2: "pos"}) == list(LABELS)
    assert map_labels({0: "POSITIVE", 1: "NEGATIVE"}) == ["positive", "negative"]
    assert map_labels({0: "Negative", 1: "Neutral", 2: "Positive"}) == list(LABELS)
    assert map_labels({k: f"{k + 1} star" for k in range(5)}) == [
        "negative",
        "negative",
        "neutral",
        "positive",
        "positive",
    ]
    with pytest.raises(ModelError, match="toxic"):
        map_labels({0: "toxic", 1: "clean"})


def test_missing_extra_names_the_pip_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(ModelError, match=r"pip install 'otklik\[transformers\]'"):
        TransformerBackend(tmp_path).load()


def test_missing_model_directory_is_named(tmp_path: Path) -> None:
    pytest.importorskip("transformers", reason="needs the extra: otklik[transformers]")
    with pytest.raises(ModelError, match="does not exist"):
        TransformerBackend(tmp_path / "nope").load()
