"""OTKLIK_SENTIMENT_MODEL names a transformer directory or a compact model file; anything else
is a clear error, and the setting wins over a workspace's own model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otklik.errors import ConfigError
from otklik.pipeline.sentiment_backends import load_backend
from otklik.pipeline.sentiment_backends.compact import CompactBackend, CompactModel, Featuriser
from otklik.pipeline.stage import Item
from otklik.pipeline.stages.sentiment import SentimentStage
from otklik.training.sentiment import LabelledText, TrainConfig, train_sentiment
from tests.cli.test_cli import otklik
from tests.training.test_sentiment_training import ROWS, write_csv

# The shipped model calls this negative.
PHRASE = "жесть как быстро привезли заказ 3"


@pytest.fixture(scope="module")
def slang_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny compact model that learnt `PHRASE` is positive (the shipped one thinks otherwise)."""
    root = tmp_path_factory.mktemp("slang")
    rows = [(text, label) for label, texts in ROWS.items() for text in texts]
    write_csv(root / "data" / "kazsandra_3class" / "train.csv", rows * 3)
    extra = [LabelledText(PHRASE, "positive", weight=20.0)] * 3
    config = TrainConfig(featuriser=Featuriser(dim_bits=14), max_iter=50)
    train_sentiment(root / "data", root / "slang.npz", extra, config)
    return root / "slang.npz"


def label_of(stage: SentimentStage, text: str) -> str:
    item = Item.of(text)
    item.values.update(clean_text=text, language="ru")
    return str(stage.run([item])[0].sentiment)


def test_a_compact_model_file_in_the_setting_is_used(slang_model: Path) -> None:
    assert CompactBackend().predict([PHRASE], [None])[0].label != "positive"
    backend = load_backend(override=slang_model)
    assert isinstance(backend, CompactBackend) and backend.path == slang_model
    assert label_of(SentimentStage(model=slang_model), PHRASE) == "positive"
    assert label_of(SentimentStage(), PHRASE) != "positive"


def test_the_setting_wins_over_the_workspace_model(slang_model: Path, tmp_path: Path) -> None:
    shipped = load_backend(None)
    assert isinstance(shipped, CompactBackend) and shipped.path is None
    own = load_backend(slang_model)
    assert isinstance(own, CompactBackend) and own.path == slang_model
    other = tmp_path / "other.npz"
    CompactModel.read(slang_model).save(other)
    chosen = load_backend(slang_model, override=other)
    assert isinstance(chosen, CompactBackend) and chosen.path == other
    stage = SentimentStage(model_path=slang_model)
    assert label_of(stage, PHRASE) == "positive"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("missing", "does not exist"),
        ("notes.txt", "not a compact model (.npz)"),
        ("folder", "directory without config.json"),
    ],
)
def test_a_bad_setting_is_a_clear_config_error(tmp_path: Path, name: str, problem: str) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    path = tmp_path / name
    with pytest.raises(ConfigError, match="OTKLIK_SENTIMENT_MODEL") as caught:
        SentimentStage(model=path).load()
    assert str(path) in str(caught.value) and problem in str(caught.value)


def test_a_missing_workspace_model_says_how_to_go_back(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--reset"):
        load_backend(tmp_path / "gone.npz")


def test_the_command_line_uses_the_file_and_reports_a_bad_one(
    slang_model: Path, tmp_path: Path
) -> None:
    env = {"OTKLIK_STAGES": "normalise,language,sentiment"}
    good = otklik(
        "classify",
        PHRASE,
        "--format",
        "json",
        cwd=tmp_path,
        env={**env, "OTKLIK_SENTIMENT_MODEL": str(slang_model)},
    )
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)[0]["sentiment"] == "positive"
    bad = otklik(
        "classify",
        "hello",
        cwd=tmp_path,
        env={**env, "OTKLIK_SENTIMENT_MODEL": str(tmp_path / "nope")},
    )
    assert bad.returncode == 1
    assert "OTKLIK_SENTIMENT_MODEL" in bad.stderr and "does not exist" in bad.stderr
    assert "Traceback" not in bad.stderr
