from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from otklik.errors import ConfigError
from otklik.pipeline.pipeline import Pipeline
from otklik.pipeline.stage import Item
from otklik.pipeline.stages.dedupe import DedupeStage
from otklik.pipeline.stages.language import LanguageStage
from otklik.pipeline.stages.normalise import NormaliseStage, normalise_text


def run(stages: Sequence[Any], texts: Sequence[str]) -> list[Item]:
    return list(Pipeline(stages).run([Item.of(t) for t in texts]))


def test_normalise_joins_decomposed_letters_and_drops_invisible_characters() -> None:
    decomposed = "и\u0306од"  # й as и + combining breve
    assert normalise_text(f"  {decomposed}\u200b  ио\u00adд\n\tok ") == "йод иод ok"


def test_language_is_detected_among_ru_kk_en_despite_links_and_handles() -> None:
    items = run(
        [NormaliseStage(), LanguageStage()],
        [
            "@ozon_ru https://ozon.ru/t/abc Заказ пришёл быстро, спасибо #доставка",
            "Тапсырыс уақытында келді, рахмет!",
            "Тапсырыс тез келді рахмет сізге",
            "@united the flight was delayed again, terrible service",
            "12345 !!! 🙂",
        ],
    )
    assert [i["language"] for i in items] == ["ru", "kk", "kk", "en", None]


def test_latin_kazakh_is_not_english_and_short_russian_is_not_kazakh() -> None:
    texts = {
        "Magan ote unady, rahmet": "kk",
        "Qoldanba jaqsy, biraq jauap joq": "kk",
        "Tapsyrys keshikti, áli kelmedi": "kk",
        "Thanks, the flight was great": "en",
        "Barça won again, great game by Nicolás": "en",
        "Карта": "ru",
        "Да не": "ru",
        "Рахмет": "kk",  # Kazakh typed without Kazakh letters
        "Жаксы ойын": "kk",
    }
    items = run([NormaliseStage(), LanguageStage()], list(texts))
    assert {i["text"]: i["language"] for i in items} == texts


def test_language_set_is_configurable_and_unknown_codes_are_refused() -> None:
    items = run(
        [NormaliseStage(), LanguageStage(languages=("ru", "uk"))],
        ["Дякую, все чудово, доставка швидка"],
    )
    assert items[0]["language"] == "uk"
    with pytest.raises(ConfigError, match="xx"):
        LanguageStage(languages=("ru", "xx"))


def test_dedupe_marks_reposts_and_copy_paste_but_not_different_texts() -> None:
    base = "Служба доставки потеряла мою посылку, поддержка третий день молчит, верните деньги"
    items = run(
        [NormaliseStage(), DedupeStage()],
        [
            base,
            f"RT @user: {base}!!! https://t.co/xyz",
            base.replace("третий", "четвёртый"),
            "Посылка пришла целой, курьер вежливый, поддержка ответила за пять минут",
            "Спасибо!",
            "Спасибо!",
        ],
    )
    dup = [i["duplicate_in_batch"] for i in items]
    assert dup[:4] == [None, 0, 0, None]
    assert dup[4:] == [None, None]  # too short to call a copy


class _Needs:
    name = "needs"
    requires = frozenset({"sentiment"})
    provides = frozenset({"x"})

    def load(self) -> None: ...

    def run(self, batch: Sequence[Item]) -> list[Mapping[str, Any]]:
        return [{"x": 1} for _ in batch]


def test_pipeline_refuses_a_stage_whose_inputs_nothing_earlier_provides() -> None:
    with pytest.raises(ConfigError, match="'needs' requires \\['sentiment'\\].*normalise"):
        Pipeline([NormaliseStage(), _Needs()])


def test_every_registered_stage_keeps_the_contract() -> None:
    """Empty batch, mixed languages, empty and huge text, same input gives same output."""
    from otklik.analysis import build_pipeline
    from otklik.pipeline import registry
    from otklik.settings import Settings

    names = registry.registered()
    order = [n for n in Settings().stages if n in names] + [
        n for n in names if n not in Settings().stages
    ]
    pipeline = build_pipeline(Settings(), stages=order)
    assert pipeline.run([]) == []
    texts = [
        "Доставка задержалась",
        "Жеткізу кешікті",
        "Delivery was late",
        "",
        "я" * 100_000,
        "🙂🙂",
    ]
    first = pipeline.run([Item.of(t) for t in texts])
    second = pipeline.run([Item.of(t) for t in texts])
    for a, b in zip(first, second, strict=True):
        assert a.values == b.values
    for stage in pipeline.stages:
        for item in first:
            assert stage.provides <= set(item.values), stage.name
