"""The survey templates Otklik ships, in Russian, Kazakh and English."""

from __future__ import annotations

import copy
from typing import Any

from otklik.errors import InputError


def _t(ru: str, kk: str, en: str) -> dict[str, str]:
    return {"ru": ru, "kk": kk, "en": en}


def _options(*items: tuple[str, str, str, str]) -> list[dict[str, Any]]:
    return [{"id": oid, "text": _t(ru, kk, en)} for oid, ru, kk, en in items]


_POST_PURCHASE: dict[str, Any] = {
    "title": _t("Как прошла ваша покупка?", "Сатып алуыңыз қалай өтті?", "How was your purchase?"),
    "intro": _t(
        "Ответ займёт меньше минуты.",
        "Жауап беру бір минуттан аз уақыт алады.",
        "It takes less than a minute.",
    ),
    "questions": [
        {
            "id": "nps",
            "kind": "nps",
            "required": True,
            "text": _t(
                "Насколько вероятно, что вы порекомендуете нас другу или коллеге?",
                "Бізді досыңызға немесе әріптесіңізге ұсынуыңыз қаншалықты ықтимал?",
                "How likely are you to recommend us to a friend or colleague?",
            ),
        },
        {
            "id": "what_went_wrong",
            "kind": "text",
            "text": _t("Что пошло не так?", "Сізге не ұнамады?", "What went wrong?"),
            "show_if": {"question": "nps", "max": 6},
        },
        {
            "id": "improve",
            "kind": "text",
            "text": _t(
                "Что нам стоит улучшить?",
                "Біз нені жақсартуымыз керек?",
                "What should we improve?",
            ),
        },
        {
            "id": "category",
            "kind": "single",
            "text": _t("Что вы купили?", "Не сатып алдыңыз?", "What did you buy?"),
            "options": _options(
                ("electronics", "Электроника", "Электроника", "Electronics"),
                ("clothing", "Одежда и обувь", "Киім мен аяқ киім", "Clothing and shoes"),
                ("furniture", "Мебель", "Жиһаз", "Furniture"),
                ("groceries", "Продукты", "Азық-түлік", "Groceries"),
                ("other", "Другое", "Басқа", "Something else"),
            ),
        },
    ],
}

_CSAT: dict[str, Any] = {
    "title": _t("Оцените нашу поддержку", "Қолдау қызметімізді бағалаңыз", "Rate our support"),
    "questions": [
        {
            "id": "csat",
            "kind": "csat",
            "required": True,
            "text": _t(
                "Насколько вы довольны полученной помощью?",
                "Алған көмегіңізге қаншалықты ризасыз?",
                "How satisfied are you with the help you received?",
            ),
        },
        {
            "id": "ces",
            "kind": "ces",
            "text": _t(
                "Насколько легко было решить ваш вопрос?",
                "Мәселеңізді шешу қаншалықты оңай болды?",
                "How easy was it to get your issue resolved?",
            ),
        },
        {
            "id": "comment",
            "kind": "text",
            "text": _t(
                "Хотите что-нибудь добавить?",
                "Тағы айтқыңыз келетін нәрсе бар ма?",
                "Is there anything else you would like to tell us?",
            ),
        },
    ],
}

_PARTNER_DEBRIEF: dict[str, Any] = {
    "title": _t(
        "Итоги совместной кампании",
        "Бірлескен науқанның қорытындысы",
        "Joint campaign debrief",
    ),
    "questions": [
        {
            "id": "overall",
            "kind": "rating",
            "required": True,
            "text": _t(
                "Как вы в целом оцениваете нашу совместную кампанию?",
                "Бірлескен науқанымызды жалпы қалай бағалайсыз?",
                "Overall, how do you rate our joint campaign?",
            ),
        },
        {
            "id": "worked",
            "kind": "text",
            "text": _t("Что сработало хорошо?", "Не жақсы нәтиже берді?", "What worked well?"),
        },
        {
            "id": "improve",
            "kind": "text",
            "text": _t(
                "Что стоит улучшить в следующий раз?",
                "Келесі жолы нені жақсарту керек?",
                "What should we improve next time?",
            ),
        },
        {
            "id": "repeat",
            "kind": "single",
            "required": True,
            "text": _t(
                "Провели бы вы с нами совместную кампанию ещё раз?",
                "Бізбен бірлескен науқанды тағы өткізер ме едіңіз?",
                "Would you run a joint campaign with us again?",
            ),
            "options": _options(
                ("yes", "Да", "Иә", "Yes"),
                ("maybe", "Возможно", "Мүмкін", "Maybe"),
                ("no", "Нет", "Жоқ", "No"),
            ),
        },
    ],
}

_AREAS = (
    ("offer", "Предложение и цена", "Ұсыныс пен баға", "Offer and price"),
    ("logistics", "Логистика", "Логистика", "Logistics"),
    ("visuals", "Визуальные материалы", "Көрнекі материалдар", "Visuals"),
    ("channels", "Каналы продвижения", "Жарнама арналары", "Promotion channels"),
)

_TEAM_RETRO: dict[str, Any] = {
    "title": _t("Ретроспектива команды", "Команда ретроспективасы", "Team retrospective"),
    "questions": [
        {
            "id": "went_well",
            "kind": "multiple",
            "text": _t("Что получилось хорошо?", "Не жақсы болды?", "What went well?"),
            "options": _options(*_AREAS),
        },
        {
            "id": "needs_work",
            "kind": "multiple",
            "text": _t("Что требует доработки?", "Нені пысықтау керек?", "What needs more work?"),
            "options": _options(*_AREAS),
        },
        {
            "id": "overall",
            "kind": "rating",
            "text": _t(
                "Как вы оцениваете кампанию в целом?",
                "Науқанды жалпы қалай бағалайсыз?",
                "How do you rate the campaign overall?",
            ),
        },
        {
            "id": "ideas",
            "kind": "text",
            "text": _t(
                "Идеи на следующий раз", "Келесі жолға арналған идеялар", "Ideas for next time"
            ),
        },
    ],
}

TEMPLATES: dict[str, dict[str, Any]] = {
    "post-purchase": _POST_PURCHASE,
    "csat": _CSAT,
    "partner-debrief": _PARTNER_DEBRIEF,
    "team-retro": _TEAM_RETRO,
}


def template(name: str, survey_name: str, languages: list[str] | None = None) -> dict[str, Any]:
    """A new survey document from a template, in the chosen languages."""
    if name not in TEMPLATES:
        raise InputError(f"unknown template {name!r}: use one of {', '.join(TEMPLATES)}")
    document = copy.deepcopy(TEMPLATES[name])
    document["name"] = survey_name
    document["languages"] = languages or ["ru", "kk", "en"]
    return document
