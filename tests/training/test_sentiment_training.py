from __future__ import annotations

import csv
import json
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

from otklik.cli.sentiment import register
from otklik.pipeline.sentiment_backends.compact import CompactBackend, CompactModel, Featuriser
from otklik.training.sentiment import (
    LabelledText,
    TrainConfig,
    evaluate,
    score_labels,
    train_sentiment,
)

TINY = TrainConfig(featuriser=Featuriser(dim_bits=14), max_iter=50)
ROWS = {
    "positive": ["отлично, спасибо", "керемет рахмет", "great, love it", "супер всё понравилось"],
    "negative": ["ужасно, не работает", "нашар жаман", "awful, broken", "плохо, верните деньги"],
    "neutral": ["заказ номер пять", "кітап туралы", "the flight is at noon", "где офис?"],
}


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    rows = [(text, label) for label, texts in ROWS.items() for text in texts]
    for name in ("kazsandra_3class", "sentirueval_banks_telecom", "twitter_us_airline"):
        write_csv(tmp_path / "data" / name / "train.csv", rows * 3)
        write_csv(tmp_path / "data" / name / "dev.csv", rows)
    return tmp_path / "data"


def test_training_on_a_tiny_set_writes_a_model_that_loads_and_predicts(
    data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "model.npz"
    report = train_sentiment(data_dir, out, config=TINY)
    assert set(report.train_sizes) == {"kazsandra_3class", "sentirueval_banks_telecom"}
    assert set(report.dev) == {
        "kazsandra_3class",
        "sentirueval_banks_telecom",
        "twitter_us_airline",
    }
    backend = CompactBackend(out)
    backend.load()
    predictions = backend.predict(["отлично, спасибо", "ужасно, не работает"], ["ru", "ru"])
    assert [p.label for p in predictions] == ["positive", "negative"]
    for p in predictions:
        assert abs(sum(p.probabilities.values()) - 1) < 1e-6
        assert p.score == max(p.probabilities.values())


def test_training_is_deterministic(data_dir: Path, tmp_path: Path) -> None:
    train_sentiment(data_dir, tmp_path / "a.npz", config=TINY)
    train_sentiment(data_dir, tmp_path / "b.npz", config=TINY)
    a, b = CompactModel.read(tmp_path / "a.npz"), CompactModel.read(tmp_path / "b.npz")
    assert np.array_equal(a.weights, b.weights)
    assert np.array_equal(a.bias, b.bias)
    assert a.temperature == b.temperature


def test_extra_examples_teach_the_model_a_new_word(data_dir: Path, tmp_path: Path) -> None:
    extra = [LabelledText("зашибись", "positive", weight=20.0)] * 3
    train_sentiment(data_dir, tmp_path / "m.npz", extra_examples=extra, config=TINY)
    backend = CompactBackend(tmp_path / "m.npz")
    assert backend.predict(["зашибись"], [None])[0].label == "positive"


def test_missing_data_is_reported_with_the_expected_layout(tmp_path: Path) -> None:
    from otklik.errors import InputError

    with pytest.raises(InputError, match="train.csv"):
        train_sentiment(tmp_path, tmp_path / "m.npz", config=TINY)


def test_score_labels_counts_the_confusion_matrix_and_macro_f1() -> None:
    result = score_labels(
        ["negative", "negative", "neutral", "positive"],
        ["negative", "neutral", "neutral", "positive"],
    )
    assert result.accuracy == 0.75
    assert result.confusion == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    assert result.per_class_f1 == {"negative": 0.6667, "neutral": 0.6667, "positive": 1.0}
    assert result.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)


def test_evaluate_scores_the_shipped_model_on_obvious_texts() -> None:
    backend = CompactBackend()
    result = evaluate(
        backend, ["ужасно, никогда больше", "великолепно, спасибо"], ["negative", "positive"]
    )
    assert result.n == 2
    assert result.accuracy == 1.0


def cli_group() -> click.Group:
    group = click.Group("otklik")
    register(group)
    return group


def test_eval_cli_prints_accuracy_macro_f1_and_confusion_matrix(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "mine.csv",
        [("ужасно, никогда больше", "negative"), ("великолепно, спасибо", "positive")],
    )
    table = CliRunner().invoke(cli_group(), ["eval", "sentiment", str(path)])
    assert table.exit_code == 0, table.output
    assert "macro-F1" in table.output
    assert "confusion matrix" in table.output
    as_json = CliRunner().invoke(cli_group(), ["eval", "sentiment", str(path), "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    result = json.loads(as_json.output)
    assert result["n"] == 2
    assert result["accuracy"] == 1.0
    assert result["confusion"] == [[1, 0, 0], [0, 0, 0], [0, 0, 1]]


def test_eval_cli_names_a_missing_column_and_a_bad_label(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "mine.csv", [("хорошо", "good")])
    missing = CliRunner().invoke(
        cli_group(), ["eval", "sentiment", str(path), "--text-column", "body"]
    )
    assert missing.exit_code == 1
    assert "no column body" in missing.output
    bad = CliRunner().invoke(cli_group(), ["eval", "sentiment", str(path)])
    assert bad.exit_code == 1
    assert "row 2" in bad.output and "'good'" in bad.output


def test_train_cli_writes_the_model_and_prints_dev_scores(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli.npz"
    result = CliRunner().invoke(
        cli_group(),
        ["train", "sentiment", "--data", str(data_dir), "--out", str(out), "--dim-bits", "14"],
    )
    assert result.exit_code == 0, result.output
    assert out.exists()
    assert "kazsandra_3class" in result.output


def test_every_command_help_has_an_example() -> None:
    for args in (["train"], ["eval"], ["train", "sentiment"], ["eval", "sentiment"]):
        result = CliRunner().invoke(cli_group(), [*args, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output


def test_workspace_retraining_learns_from_corrections_and_shows_before_after(
    data_dir: Path, tmp_path: Path
) -> None:
    from otklik.cli.context import AppContext
    from otklik.domain.mention import Analysis, Author, Mention
    from otklik.settings import Settings
    from otklik.storage import AnalysedMention, Store

    url = f"sqlite:///{tmp_path / 'otklik.db'}"
    store = Store.open(url)
    store.init()
    ws = store.workspace("shop", "UTC")
    texts = [f"зашибись доставка номер {k}" for k in range(10)]
    batch = [
        AnalysedMention(
            Mention(text=t, raw={"text": t}, channel="review", author=Author(name="a")),
            Analysis(sentiment="neutral", language="ru"),
        )
        for t in texts
    ]
    with store.begin() as conn:
        ids = [i for i in store.insert(conn, ws, batch).ids if i is not None]
    for mid in ids:
        store.correct_sentiment(ws, mid, "positive", "анна")
    store.close()

    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = AppContext(Settings(database_url=url))

    register(root)
    out = tmp_path / "shop.npz"
    args = ["train", "sentiment", "--data", str(data_dir), "--out", str(out), "--dim-bits", "14"]
    result = CliRunner().invoke(root, [*args, "--workspace", "shop", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["extra_examples"] == 8
    assert report["held_back"] == 2
    assert report["after"]["accuracy"] == 1.0
    assert report["after"]["accuracy"] >= report["before"]["accuracy"]
    table = CliRunner().invoke(root, [*args, "--workspace", "shop"])
    assert "held-back corrections" in table.output
    evaluated = CliRunner().invoke(
        root, ["eval", "sentiment", "--workspace", "shop", "--model", str(out), "--format", "json"]
    )
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.output)["after"] == report["after"]
    missing = CliRunner().invoke(root, [*args, "--workspace", "nobody"])
    assert missing.exit_code == 1
    assert "nobody" in missing.output
