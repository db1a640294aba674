from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from otklik.pipeline.pipeline import Pipeline
from otklik.pipeline.registry import build
from otklik.pipeline.sentiment_backends.base import LABELS, Prediction
from otklik.pipeline.sentiment_backends.compact import CompactBackend, CompactModel
from otklik.pipeline.stage import Item
from otklik.pipeline.stages.brands import BrandMatch
from otklik.pipeline.stages.sentiment import SentimentStage, decide, lean_towards

SOURCES = {"model", "rating"}


@pytest.fixture(scope="module")
def stage() -> SentimentStage:
    stage = SentimentStage()
    stage.load()
    return stage


def item(text: str, language: str | None = "ru", **extra: Any) -> Item:
    it = Item.of(text, rating=extra.pop("rating", None))
    it.values.update(clean_text=text, language=language, **extra)
    return it


def check(result: Any) -> None:
    assert result.sentiment in LABELS
    assert 1 / 3 <= result.sentiment_score <= 1.0
    assert result.sentiment_source in SOURCES
    assert isinstance(result.brand_sentiments, tuple)


def test_shipped_model_loads_from_package_data() -> None:
    from importlib import resources

    shipped = resources.files("otklik.models").joinpath("sentiment_compact.npz")
    assert shipped.is_file()
    with resources.as_file(shipped) as path:
        assert path.stat().st_size < 4_000_000
    model = CompactModel.read()
    assert model.weights.shape[1] == len(LABELS)
    assert model.temperature > 0
    assert model.info and "twitter_us_airline" not in model.info["train_sizes"]


def test_stage_is_registered_and_declares_its_contract() -> None:
    stage = build("sentiment")
    assert stage.requires == {"clean_text", "language"}
    assert {
        "sentiment",
        "sentiment_score",
        "sentiment_source",
        "brand_sentiments",
    } <= stage.provides


def test_mixed_languages_get_valid_labels_and_clear_cases_are_right(stage: SentimentStage) -> None:
    batch = [
        item("Ужасный сервис, деньги списали дважды, поддержка не отвечает", "ru"),
        item("Спасибо огромное, всё пришло быстро, очень довольна!", "ru"),
        item("Өте жақсы қосымша, рахмет! Бәрі ұнады", "kk"),
        item("Worst airline ever, lost my bag and nobody cares", "en"),
        item("I love this app, great job team!", "en"),
        item("Доставка быстрая, но курьер хамил. Жеткізу жылдам болды", "kk"),
        item("🙂🙂🙂", None),
    ]
    results = stage.run(batch)
    assert len(results) == len(batch)
    for result in results:
        check(result)
    labels = [r.sentiment for r in results]
    assert labels[:5] == ["negative", "positive", "positive", "negative", "positive"]


def test_empty_text_is_neutral_with_a_low_score(stage: SentimentStage) -> None:
    [result] = stage.run([item("", None)])
    assert result.sentiment == "neutral"
    assert result.sentiment_score < 0.5
    assert result.sentiment_source == "model"


def test_empty_batch_gives_no_results(stage: SentimentStage) -> None:
    assert stage.run([]) == []


def test_huge_text_gets_a_label(stage: SentimentStage) -> None:
    [result] = stage.run([item("Очень плохо, не рекомендую. " * 50_000, "ru")])
    check(result)
    assert result.sentiment == "negative"


def test_same_input_gives_same_output(stage: SentimentStage) -> None:
    batch = [item("Нормально, но могло быть лучше"), item("Керемет!", "kk")]
    again = [item("Нормально, но могло быть лучше"), item("Керемет!", "kk")]
    assert stage.run(batch) == stage.run(again)
    assert stage.run(batch[:1]) == stage.run(batch)[:1]


def test_one_star_thankful_review_is_not_positive(stage: SentimentStage) -> None:
    [plain, one_star] = stage.run(
        [item("Спасибо, всё понятно"), item("Спасибо, всё понятно", rating=1)]
    )
    assert one_star.sentiment != "positive"
    if plain.sentiment != one_star.sentiment:
        assert one_star.sentiment_source == "rating"


def test_rating_that_agrees_with_the_text_leaves_the_model_as_source(
    stage: SentimentStage,
) -> None:
    [result] = stage.run([item("Отличный магазин, всем советую!", rating=5)])
    assert result.sentiment == "positive"
    assert result.sentiment_source == "model"


def test_rating_decides_when_there_is_no_text(stage: SentimentStage) -> None:
    results = stage.run([item("", None, rating=r) for r in (1, "2", 3.0, 4, 5)])
    assert [r.sentiment for r in results] == [
        "negative",
        "negative",
        "neutral",
        "positive",
        "positive",
    ]
    assert {r.sentiment_source for r in results} == {"rating"}


def test_ratings_outside_one_to_five_are_ignored(stage: SentimentStage) -> None:
    plain = stage.run([item("Всё хорошо")])
    for rating in (0, 7, "n/a", float("nan")):
        assert stage.run([item("Всё хорошо", rating=rating)]) == plain


def test_unserved_language_keeps_the_label_with_a_lower_score() -> None:
    prediction = Prediction.of([0.1, 0.1, 0.8])
    served = decide(prediction, "ru", None)
    other = decide(prediction, None, None)
    assert served[0] == other[0] == "positive"
    assert other[1] < served[1]


def brand_hit(brand_id: int, context: str, lean: int = 0) -> BrandMatch:
    return BrandMatch(brand_id, "main", "", ((0, 1),), context, lean != 0, lean)


@dataclass(frozen=True)
class Read:
    clean_text: str
    language: str


def test_brand_hits_get_aligned_sentiments(stage: SentimentStage) -> None:
    hits = (
        brand_hit(1, "Озон привёз быстро, спасибо"),
        brand_hit(2, "а Вайлдберриз опять потерял заказ, ужасно"),
    )
    [with_hits, without] = stage.run(
        [
            item("Озон привёз быстро, спасибо, а Вайлдберриз опять потерял заказ", brand_hits=hits),
            item("Просто текст"),
        ]
    )
    assert [b.sentiment for b in with_hits.brand_sentiments] == ["positive", "negative"]
    assert all(0 < b.score <= 1 for b in with_hits.brand_sentiments)
    assert without.brand_sentiments == ()


def test_stage_runs_inside_a_pipeline_with_a_given_backend() -> None:
    class Upstream:
        name = "upstream"
        requires: frozenset[str] = frozenset()
        provides = frozenset({"clean_text", "language"})

        def load(self) -> None:
            pass

        def run(self, batch: Any) -> list[Read]:
            return [Read(i["text"], "en") for i in batch]

    pipeline = Pipeline([Upstream(), SentimentStage(backend=CompactBackend())])
    [out] = pipeline.analyse([Item.of("terrible, never again")])
    assert out.sentiment == "negative"


def test_a_comparison_lean_moves_the_brand_sentiment_but_does_not_overrule_the_text(
    stage: SentimentStage,
) -> None:
    def brand_sentiment(context: str, lean: int) -> str:
        hits = (brand_hit(1, context, lean), brand_hit(2, "другой бренд"))
        [out] = stage.run([item(context, brand_hits=hits)])
        return str(out.brand_sentiments[0].sentiment)

    # The model alone reads "Грузовичок дешевле" as not positive; the comparison says it is.
    assert brand_sentiment("Грузовичок дешевле", 0) != "positive"
    assert brand_sentiment("Грузовичок дешевле", 1) == "positive"
    # Strong words in the text still win over a comparative.
    assert brand_sentiment("ужасно, отвратительно, потеряли посылку", 1) == "negative"
    moved = lean_towards(Prediction.of([0.2, 0.5, 0.3]), -1)
    assert moved.label == "negative" and abs(sum(moved.probabilities.values()) - 1) < 1e-9
