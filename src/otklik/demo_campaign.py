"""The demo workspace's marketing side: posts of our accounts, a partner's and two
competitors', web-analytics traffic by UTM, and a campaign with SMART goals (deterministic)."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

CAMPAIGN = "Весенняя доставка"
UTM_CAMPAIGN = "spring_delivery"
CAMPAIGN_DAYS = (30, 17)  # days ago the campaign starts and ends
PARTNER = "Kaspi Магазин"
ACCOUNTS = (
    ("vk", "Быстрая Почта", "own", 52000),
    ("instagram", "bystropost.kz", "own", 31000),
    ("telegram", "BystroPost News", "own", 8000),
    ("instagram", PARTNER, "partner", 120000),
    ("vk", "Грузовичок", "competitor", 40000),
    ("instagram", "paketon.kz", "competitor", 25000),
)
FORMATS = (("photo", 5), ("video", 2), ("carousel", 3), ("text", 2), ("story", 2), ("reels", 3))
# Rubric, how many posts it gets, how well it engages: "Мемы" is the dead horse.
RUBRICS = (
    ("Акции", 3, 1.3),
    ("Советы", 3, 1.0),
    ("Закулисье", 2, 1.1),
    ("Мемы", 3, 0.3),
    ("Отзывы клиентов", 2, 1.2),
)
POST_COLUMNS = (
    "Ссылка",
    "Дата",
    "Время",
    "Платформа",
    "Аккаунт",
    "Тип аккаунта",
    "Формат",
    "Рубрика",
    "Охват",
    "Просмотры",
    "Лайки",
    "Комментарии",
    "Репосты",
    "Сохранения",
    "Переходы",
    "По плану",
    "Подписчики",
)
TRAFFIC_COLUMNS = (
    "Date",
    "Session source",
    "Session medium",
    "Session campaign",
    "Sessions",
    "Bounce rate",
    "Views per session",
    "Average session duration",
    "Device category",
    "Key events",
)


def campaign_span(today: date) -> tuple[date, date]:
    """The demo campaign's first and last day."""
    return today - timedelta(days=CAMPAIGN_DAYS[0]), today - timedelta(days=CAMPAIGN_DAYS[1])


def posts_csv(today: date, seed: int = 11) -> str:
    """Ninety days of posts as an SMM export with Russian column names."""
    rng = random.Random(seed)
    start, end = campaign_span(today)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(POST_COLUMNS)
    number = 0
    for days_ago in range(89, -1, -1):
        day = today - timedelta(days=days_ago)
        during = start <= day <= end
        for platform, account, kind, followers in ACCOUNTS:
            chance = {"own": 0.8, "partner": 0.5 if during else 0.05, "competitor": 0.45}[kind]
            if rng.random() > chance:
                continue
            number += 1
            writer.writerow(
                _post(rng, number, day, days_ago, platform, account, kind, followers, during)
            )
    return out.getvalue()


def _post(
    rng: random.Random,
    number: int,
    day: date,
    days_ago: int,
    platform: str,
    account: str,
    kind: str,
    followers: int,
    during: bool,
) -> list[Any]:
    fmt = rng.choices([f for f, _ in FORMATS], [w for _, w in FORMATS])[0]
    rubric, _, pull = rng.choices(RUBRICS, [w for _, w, _ in RUBRICS])[0]
    hour = rng.choice((9, 10, 12, 13, 15, 18, 19, 20, 21))
    boost = (1.6 if during and kind != "competitor" else 1.0) * (1.3 if hour in (19, 20) else 1.0)
    reach = int(followers * rng.uniform(0.08, 0.25) * boost)
    rate = rng.uniform(0.02, 0.06) * pull * (1.4 if fmt in ("reels", "video") else 1.0)
    if kind == "competitor":
        rate *= 0.8
    actions = int(reach * rate)
    likes = int(actions * 0.75)
    comments = int(actions * 0.08)
    reposts = int(actions * 0.07)
    saves = actions - likes - comments - reposts
    clicks = int(reach * rng.uniform(0.01, 0.025) * (2.2 if during else 1.0))
    plan = rng.choices(("да", "нет", "внеплановый"), (7, 2, 1))[0]
    grown = followers + (90 - days_ago) * (25 if kind == "own" else 10)
    host = {"vk": "vk.com", "instagram": "instagram.com", "telegram": "t.me"}[platform]
    return [
        f"https://{host}/demo/{number}",
        day.isoformat(),
        f"{hour:02d}:{rng.choice((0, 15, 30)):02d}",
        platform,
        account,
        {"own": "свой", "partner": "партнёр", "competitor": "конкурент"}[kind],
        fmt,
        rubric,
        reach,
        int(reach * rng.uniform(1.1, 1.6)),
        likes,
        comments,
        reposts,
        saves,
        clicks,
        plan,
        grown,
    ]


def traffic_csv(today: date, seed: int = 13) -> str:
    """Ninety days of sessions by UTM as a GA4 export."""
    rng = random.Random(seed)
    start, end = campaign_span(today)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TRAFFIC_COLUMNS)
    for days_ago in range(89, -1, -1):
        day = today - timedelta(days=days_ago)
        during = start <= day <= end
        for source, base in (("vk", 90), ("instagram", 70), ("telegram", 25)):
            for device, share in (("mobile", 0.75), ("desktop", 0.25)):
                name = UTM_CAMPAIGN if during else "always_on"
                sessions = int(base * share * rng.uniform(0.7, 1.3) * (2.4 if during else 1.0))
                conversions = int(sessions * rng.uniform(0.02, 0.05))
                writer.writerow(
                    [
                        day.strftime("%Y%m%d"),
                        source,
                        "social",
                        name,
                        sessions,
                        round(rng.uniform(0.35, 0.6), 3),
                        round(rng.uniform(1.4, 2.6), 2),
                        round(rng.uniform(40, 140), 1),
                        device,
                        conversions,
                    ]
                )
    return out.getvalue()


def leads(today: date, seed: int = 17) -> dict[date, float]:
    """Leads from the CRM per day (a manual metric)."""
    rng = random.Random(seed)
    start, end = campaign_span(today)
    return {
        today - timedelta(days=d): float(
            int(rng.uniform(8, 16) * (2.0 if start <= today - timedelta(days=d) <= end else 1.0))
        )
        for d in range(89, -1, -1)
    }


GOALS: tuple[dict[str, Any], ...] = (
    {
        "metric": "sessions",
        "target": 6000,
        "wording": {
            "specific": "Привести из соцсетей на сайт людей, которым нужна весенняя доставка",
            "measurable": "Сеансы с utm_campaign=spring_delivery в GA4",
            "achievable": "Вдвое больше обычного, с бюджетом на продвижение и партнёром",
            "relevant": "Сайт — главный путь к оформлению отправки",
            "time_bound": "До последнего дня кампании",
        },
    },
    {
        "metric": "engagement_rate",
        "target": 0.05,
        "wording": {
            "specific": "Посты кампании вызывают отклик",
            "measurable": "ER по охвату наших аккаунтов",
            "achievable": "Лучшие рубрики уже дают 5%",
            "relevant": "Отклик поднимает охват без денег",
            "time_bound": "За время кампании",
        },
    },
    {"metric": "conversions", "target": 250, "wording": {}},
    {"metric": "manual:leads", "target": 400, "wording": {"measurable": "Заявки из CRM"}},
    {"metric": "узнаваемость", "target": None, "wording": {}},
)
DEBRIEF = "Итоги с Kaspi Магазин"
# The partner's debrief answers: days after the campaign's end, language, answers.
DEBRIEF_ANSWERS: tuple[tuple[int, str, dict[str, Any]], ...] = (
    (
        2,
        "ru",
        {
            "overall": 5,
            "worked": "Отличная акция, спасибо! Бесплатная доставка привела новых покупателей.",
            "improve": "Согласовывать макеты сторис на неделю раньше.",
            "repeat": "yes",
        },
    ),
    (
        3,
        "ru",
        {
            "overall": 4,
            "worked": "Промокод в постах работал хорошо, клиенты довольны скоростью доставки.",
            "improve": "Курьеры в последние дни опаздывали, были жалобы.",
            "repeat": "yes",
        },
    ),
    (
        5,
        "kk",
        {
            "overall": 4,
            "worked": "Бірлескен ұтыс ойыны өте жақсы болды, рахмет!",
            "improve": "Жарнама арналарын көбейту керек.",
            "repeat": "maybe",
        },
    ),
)

NOTES = "Совместная акция с партнёром: бесплатная доставка заказов весной."
RETRO = {
    "worked": "Reels с партнёром и вечерние посты (19–20 ч) дали лучший ER.",
    "not_worked": "Рубрика «Мемы»: много постов, мало отклика; переходы терялись на лендинге.",
    "ideas": "1) Больше видео с партнёром; 2) убрать «Мемы»; 3) упростить лендинг.",
}


def today_of(now: datetime | None) -> date:
    """The demo's today (UTC)."""
    return (now or datetime.now(UTC)).date()
