"""A workspace's retrained sentiment model is recorded, used by import, reanalyse and the web
app, kept only when it does at least as well, and overridden by OTKLIK_SENTIMENT_MODEL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from otklik.cli.main import cli
from otklik.domain.filters import Filters
from otklik.domain.mention import Analysis, Author, Mention
from otklik.pipeline.sentiment_backends.compact import SHIPPED_MODEL, CompactBackend
from otklik.storage import AnalysedMention, Store
from tests.training.test_sentiment_training import ROWS, write_csv

# Slang the shipped model reads as negative; this workspace's people say it is praise.
SLANG = "жесть как быстро привезли заказ {}"
COURIER = "курьер: жесть как быстро привезли заказ 7"
STAGES = "normalise,language,sentiment"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny stand-in for ../shared/data/sentiment, so training takes about a second."""
    root = tmp_path_factory.mktemp("data")
    rows = [(text, label) for label, texts in ROWS.items() for text in texts]
    for name in ("kazsandra_3class", "sentirueval_banks_telecom"):
        write_csv(root / name / "train.csv", rows * 3)
        write_csv(root / name / "dev.csv", rows)
    return root


@pytest.fixture
def db(db_url: str) -> Iterator[str]:
    """An initialised database (SQLite file or PostgreSQL), as `otklik init` leaves it."""
    result = CliRunner().invoke(cli, ["--database-url", db_url, "init"])
    assert result.exit_code == 0, result.output
    yield db_url


def otklik(url: str, *args: str, env: dict[str, str] | None = None) -> Result:
    """Run the real CLI in this process against the database at `url`."""
    full_env = {"OTKLIK_DATABASE_URL": url, "OTKLIK_STAGES": STAGES, **(env or {})}
    return CliRunner().invoke(cli, list(args), env=full_env, catch_exceptions=False)


def corrected_workspace(url: str, name: str, labels: list[str]) -> None:
    """A workspace whose people corrected `SLANG` texts to `labels`, oldest first."""
    store = Store.open(url)
    ws = store.workspace(name, "UTC")
    batch = [
        AnalysedMention(
            Mention(text=SLANG.format(k), raw={"k": k}, channel="review", author=Author(name="a")),
            Analysis(sentiment="negative", language="ru"),
        )
        for k in range(len(labels))
    ]
    with store.begin() as conn:
        ids = [i for i in store.insert(conn, ws, batch).ids if i is not None]
    for mid, label in zip(ids, labels, strict=True):
        store.correct_sentiment(ws, mid, label, "анна")
    store.close()


def train(url: str, data_dir: Path, out: Path, workspace: str, *flags: str) -> Result:
    args = ["train", "sentiment", "--data", str(data_dir), "--out", str(out), "--dim-bits", "14"]
    return otklik(url, *args, "--workspace", workspace, *flags)


def labels_by_text(url: str, workspace: str) -> dict[str, tuple[str | None, str | None]]:
    store = Store.open(url)
    page, _ = store.mentions(store.workspace(workspace, create=False), Filters(), limit=500)
    store.close()
    return {r.mention.text: (r.analysis.sentiment, r.analysis.sentiment_source) for r in page}


def brand_sentiment(url: str, workspace: str, text: str) -> str | None:
    listed = otklik(url, "--workspace", workspace, "mentions", "--format", "json")
    [row] = [r for r in json.loads(listed.output) if r["text"] == text]
    [brand] = row["brands"]
    return brand["sentiment"]  # type: ignore[no-any-return]


def new_mentions(tmp_path: Path) -> Path:
    return write_csv_text(tmp_path / "new.csv", [SLANG.format(42), COURIER])


def write_csv_text(path: Path, texts: list[str]) -> Path:
    path.write_text("text\n" + "\n".join(f'"{t}"' for t in texts) + "\n", encoding="utf-8")
    return path


def shipped_label(text: str) -> str:
    return CompactBackend().predict([text], [None])[0].label


def test_store_records_a_model_per_workspace_and_resets_it(store: Store, tmp_path: Path) -> None:
    shop, other = store.workspace("shop", "UTC"), store.workspace("other", "UTC")
    assert store.sentiment_model(shop) is None
    store.set_sentiment_model(shop, tmp_path / "a" / ".." / "shop.npz")
    store.set_sentiment_model(shop, tmp_path / "shop.npz")
    assert store.sentiment_model(shop) == (tmp_path / "shop.npz").resolve()
    assert store.sentiment_model(other) is None
    store.set_sentiment_model(shop, None)
    assert store.sentiment_model(shop) is None


def test_retrained_model_labels_imports_and_reanalysis_of_its_workspace_only(
    db: str, data_dir: Path, tmp_path: Path
) -> None:
    assert shipped_label(SLANG.format(42)) == "negative"
    corrected_workspace(db, "shop", ["positive"] * 10)
    new = new_mentions(tmp_path)
    for ws in ("shop", "other"):
        assert otklik(db, "--workspace", ws, "import", str(new)).exit_code == 0
    assert labels_by_text(db, "shop")[SLANG.format(42)] == ("negative", "model")

    out = tmp_path / "models" / "shop.npz"
    trained = train(db, data_dir, out, "shop")
    assert trained.exit_code == 0, trained.output
    assert f"workspace 'shop' now uses {out}" in trained.output
    assert "does at least as well" in trained.output
    store = Store.open(db)
    assert store.sentiment_model(store.workspace("shop", create=False)) == out
    assert store.sentiment_model(store.workspace("other", create=False)) is None

    # A person disagrees with the new model on one stored mention: that must survive.
    shop = store.workspace("shop", create=False)
    page, _ = store.mentions(shop, Filters(), limit=50)
    [courier] = [r for r in page if r.mention.text == COURIER]
    assert courier.mention.id is not None
    store.correct_sentiment(shop, courier.mention.id, "neutral", "борис")
    store.close()

    redone = otklik(db, "--workspace", "shop", "reanalyse")
    assert redone.exit_code == 0, redone.output
    shop_labels = labels_by_text(db, "shop")
    assert shop_labels[SLANG.format(42)] == ("positive", "model")
    assert shop_labels[COURIER] == ("neutral", "person")
    assert shop_labels[SLANG.format(0)] == ("positive", "person")
    otklik(db, "--workspace", "other", "reanalyse")
    assert labels_by_text(db, "other")[SLANG.format(42)] == ("negative", "model")

    more = write_csv_text(tmp_path / "more.csv", [SLANG.format(99)])
    for ws in ("shop", "other"):
        assert otklik(db, "--workspace", ws, "import", str(more)).exit_code == 0
    assert labels_by_text(db, "shop")[SLANG.format(99)] == ("positive", "model")
    assert labels_by_text(db, "other")[SLANG.format(99)] == ("negative", "model")

    # Re-matching a brand against stored mentions scores its sentiment with the same model.
    for ws in ("shop", "other"):
        added = otklik(db, "--workspace", ws, "brands", "add", "Заказ", "--query", "заказ")
        assert added.exit_code == 0, added.output
    assert brand_sentiment(db, "shop", SLANG.format(42)) == "positive"
    assert brand_sentiment(db, "other", SLANG.format(42)) == "negative"

    evaluated = otklik(db, "eval", "sentiment", "--workspace", "shop", "--format", "json")
    assert evaluated.exit_code == 0, evaluated.output
    scores = json.loads(evaluated.output)
    assert scores["before_model"] == "shipped"
    assert scores["after_model"] == str(out)
    assert scores["held_back"] == 2
    assert scores["after"]["macro_f1"] > scores["before"]["macro_f1"]
    assert "no model of its own" in otklik(db, "eval", "sentiment", "--workspace", "other").output

    reset = otklik(db, "sentiment-model", "--workspace", "shop", "--reset")
    assert reset.exit_code == 0, reset.output
    assert "in use: shipped" in reset.output
    otklik(db, "--workspace", "shop", "reanalyse")
    shop_labels = labels_by_text(db, "shop")
    assert shop_labels[SLANG.format(42)] == ("negative", "model")
    assert shop_labels[COURIER] == ("neutral", "person")


def test_environment_model_wins_over_the_workspace_model(
    db: str, data_dir: Path, tmp_path: Path
) -> None:
    corrected_workspace(db, "shop", ["positive"] * 10)
    out = tmp_path / "shop.npz"
    assert train(db, data_dir, out, "shop").exit_code == 0
    otklik(db, "--workspace", "shop", "import", str(new_mentions(tmp_path)))
    assert labels_by_text(db, "shop")[SLANG.format(42)] == ("positive", "model")

    with resources.as_file(resources.files("otklik.models") / SHIPPED_MODEL) as shipped:
        env = {"OTKLIK_SENTIMENT_MODEL": str(shipped)}
        shown = otklik(db, "sentiment-model", "--workspace", "shop", "--format", "json", env=env)
        assert json.loads(shown.output) == {
            "workspace": "shop",
            "workspace_model": str(out),
            "environment_model": str(shipped),
            "in_use": str(shipped),
        }
        assert otklik(db, "--workspace", "shop", "reanalyse", env=env).exit_code == 0
    assert labels_by_text(db, "shop")[SLANG.format(42)] == ("negative", "model")
    otklik(db, "--workspace", "shop", "reanalyse")
    assert labels_by_text(db, "shop")[SLANG.format(42)] == ("positive", "model")


def test_a_worse_model_is_kept_aside_unless_forced(
    sqlite_url: str, data_dir: Path, tmp_path: Path
) -> None:
    db = sqlite_url
    assert otklik(db, "init").exit_code == 0
    # The held-back corrections (every 5th) say negative, as the shipped model does; the ones
    # learnt from say positive, so the retrained model gets the held-back ones wrong.
    corrected_workspace(db, "shop", ["negative" if k % 5 == 4 else "positive" for k in range(10)])
    out = tmp_path / "shop.npz"
    kept = train(db, data_dir, out, "shop", "--format", "json")
    assert kept.exit_code == 0, kept.output
    report = json.loads(kept.output)
    assert report["used"] is False
    assert "does worse" in report["reason"]
    assert report["workspace_model"] is None
    assert out.exists()

    forced = train(db, data_dir, out, "shop", "--use")
    assert "workspace 'shop' now uses" in forced.output
    assert "--use given" in forced.output
    before = out.read_bytes()

    # Retraining into the file in use writes beside it, and replaces it only when used.
    again = train(db, data_dir, out, "shop", "--no-use", "--dim-bits", "13")
    assert again.exit_code == 0, again.output
    candidate = tmp_path / "shop.candidate.npz"
    assert f"keeps {out}" in again.output and str(candidate) in again.output
    assert out.read_bytes() == before and candidate.exists()
    store = Store.open(db)
    assert store.sentiment_model(store.workspace("shop", create=False)) == out
    store.close()

    nothing = train(db, data_dir, out, "nobody")
    assert nothing.exit_code == 1 and "nobody" in nothing.output
    lonely = otklik(db, "train", "sentiment", "--data", str(data_dir), "--out", str(out), "--use")
    assert lonely.exit_code == 2 and "--workspace" in lonely.output


def test_sentiment_model_command_sets_refuses_junk_and_explains_precedence(
    sqlite_url: str, data_dir: Path, tmp_path: Path
) -> None:
    db = sqlite_url
    assert otklik(db, "init").exit_code == 0
    help_text = otklik(db, "sentiment-model", "--help").output
    assert "OTKLIK_SENTIMENT_MODEL" in help_text and "wins" in help_text
    assert "Example" in help_text
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a model")
    refused = otklik(db, "sentiment-model", "--set", str(junk))
    assert refused.exit_code == 1 and "cannot read sentiment model" in refused.output
    from otklik.pipeline.sentiment_backends.compact import Featuriser
    from otklik.training.sentiment import TrainConfig, train_sentiment

    model = tmp_path / "m.npz"
    train_sentiment(data_dir, model, config=TrainConfig(featuriser=Featuriser(13), max_iter=50))
    done = otklik(db, "sentiment-model", "--set", str(model))
    assert done.exit_code == 0, done.output
    assert f"in use: {model}" in done.output
    store = Store.open(db)
    assert store.sentiment_model(store.workspace("default", create=False)) == model
    store.close()


def test_web_imports_use_the_workspace_model(
    sqlite_url: str, data_dir: Path, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from otklik.search_terms import open_store
    from otklik.settings import Settings
    from otklik.storage import users as accounts
    from otklik.storage import utcnow
    from otklik.web.app import create_app

    db = sqlite_url
    assert otklik(db, "init").exit_code == 0
    corrected_workspace(db, "default", ["positive"] * 10)
    assert train(db, data_dir, tmp_path / "default.npz", "default").exit_code == 0
    store = open_store(db)
    with store.begin() as conn:
        user = accounts.add_user(conn, "a@example.com", "analyst", "x", utcnow())
        token = accounts.create_token(conn, user.id, "tests", utcnow())[1]
    settings = Settings(database_url=db, stages=STAGES.split(","), secret_key="k")
    with TestClient(create_app(settings, store)) as client:
        response = client.post(
            "/api/v1/imports",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": ("new.csv", f"text\n{SLANG.format(42)}\n".encode(), "text/csv")},
        )
        assert response.status_code == 201, response.text
    store.close()
    assert labels_by_text(db, "default")[SLANG.format(42)] == ("positive", "model")
