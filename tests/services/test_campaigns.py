"""Campaigns, goals, posts and traffic imports, and the SMM numbers against a hand count."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from otklik.errors import InputError
from otklik.services import Services, campaigns, posts, smm

POSTS = (
    "Ссылка,Дата,Время,Платформа,Аккаунт,Тип аккаунта,Формат,Рубрика,Охват,Лайки,"
    "Комментарии,Репосты,Сохранения,Переходы,По плану,Подписчики\n"
    "https://vk.com/wall-1_1,2025-03-03,10:00,VK,Бренд,свой,фото,Акции,1000,40,5,3,2,10,да,900\n"
    "https://vk.com/wall-1_2,2025-03-03,10:30,Вконтакте,Бренд,свой,видео,Акции,2000,100,10,5,5,"
    "30,нет,910\n"
    "https://t.me/brand/3,2025-03-04,18:00,Telegram,Бренд,свой,текст,Советы,500,5,0,0,0,0,,\n"
    "https://instagram.com/p/4,2025-03-05,12:00,Instagram,Бренд,свой,карусель,Советы,1500,60,"
    "10,5,15,5,да,950\n"
    "https://vk.com/wall-2_1,2025-03-04,11:00,VK,Конкурент,конкурент,фото,,1000,20,0,0,0,0,,\n"
    "https://vk.com/wall-1_9,вчера,10:00,VK,Бренд,свой,фото,Акции,1000,1,1,1,1,1,да,\n"
    "https://vk.com/wall-1_8,2025-03-05,10:00,VK,Бренд,свой,фото,Акции,1000,много,1,1,1,1,да,\n"
)
TRAFFIC = (
    "Date,Session source,Session medium,Session campaign,Sessions,Bounce rate,"
    "Views per session,Average session duration,Device category,Key events\n"
    "20250303,vk,social,spring_sale,120,0.45,2.1,65.5,mobile,6\n"
    "20250304,Vk,social,Spring_Sale,80,45%,1.8,0:01:10,desktop,4\n"
    "20250304,instagram,social,other,50,0.5,1.1,20,mobile,1\n"
    "20250399,vk,social,spring_sale,1,0.5,1,1,mobile,0\n"
)


def _files(tmp_path: Path) -> tuple[Path, Path]:
    post_file, traffic_file = tmp_path / "posts.csv", tmp_path / "ga4.csv"
    post_file.write_text(POSTS, encoding="utf-8")
    traffic_file.write_text(TRAFFIC, encoding="utf-8")
    return post_file, traffic_file


def test_posts_import_keeps_bad_rows_and_smm_numbers_equal_a_hand_count(
    svc: Services, tmp_path: Path
) -> None:
    ws = svc.store.workspace("almaty", "Asia/Almaty")
    post_file, _ = _files(tmp_path)
    seen: list[int] = []
    first = posts.import_sheet(svc, ws, post_file, "post", lambda n, _share: seen.append(n))
    assert (first.read, first.added, len(first.rejections)) == (7, 5, 2)
    assert [(r.row_number, r.field) for r in first.rejections] == [
        (7, "published_at"),
        (8, "likes"),
    ]
    assert "много" in first.rejections[1].raw and seen == [7]
    again = posts.import_sheet(svc, ws, post_file, "post")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 5)

    report = smm.smm_report(svc, ws, date(2025, 3, 3), date(2025, 3, 9))
    # Own posts: actions 50 + 120 + 5 + 90 = 265 over reach 1000 + 2000 + 500 + 1500 = 5000.
    assert report["posts"] == 4
    assert report["er_reach"] == pytest.approx(265 / 5000)
    assert {r["format"]: (r["posts"], r["er_reach"]) for r in report["by_format"]} == {
        "photo": (1, pytest.approx(0.05)),
        "video": (1, pytest.approx(0.06)),
        "text": (1, pytest.approx(0.01)),
        "carousel": (1, pytest.approx(0.06)),
    }
    rubrics = {r["rubric"]: r for r in report["by_rubric"]}
    assert rubrics["Акции"]["share_posts"] == 0.5
    assert rubrics["Советы"]["share_engagement"] == pytest.approx(95 / 265)
    # Local (Asia/Almaty) weekday × hour: Monday 10:00 holds two posts.
    cells = {(c["weekday"], c["hour"]): (c["posts"], c["er_reach"]) for c in report["heatmap"]}
    assert cells == {
        (0, 10): (2, pytest.approx(170 / 3000)),
        (1, 18): (1, pytest.approx(0.01)),
        (2, 12): (1, pytest.approx(0.06)),
    }
    assert report["plan"] == {"on_plan": 2, "off_plan": 1, "unplanned": 1}
    assert report["competitors"] == [
        {
            "platform": "vk",
            "account": "Конкурент",
            "posts": 1,
            "er_reach": pytest.approx(0.02),
            "gap": pytest.approx(265 / 5000 - 0.02),
        }
    ]
    growth = {r["platform"]: r["growth"] for r in report["followers"]}
    assert growth == {"vk": 10, "instagram": 0}
    assert report["previous"]["posts"] == 0


def test_campaign_goals_are_checked_and_measured(svc: Services, tmp_path: Path) -> None:
    ws = svc.store.workspace("almaty", "Asia/Almaty")
    post_file, traffic_file = _files(tmp_path)
    posts.import_sheet(svc, ws, post_file, "post")
    traffic = posts.import_sheet(svc, ws, traffic_file, "traffic")
    assert (traffic.added, [r.field for r in traffic.rejections]) == (3, ["day"])
    with pytest.raises(InputError, match="before it starts"):
        campaigns.add_campaign(svc, ws, "x", date(2025, 3, 9), date(2025, 3, 3))
    spring = campaigns.add_campaign(
        svc, ws, "Весна", date(2025, 3, 3), date(2025, 3, 9), utm_campaigns=["spring_sale"]
    )
    assert spring.periods()["before"] == (date(2025, 2, 24), date(2025, 3, 2))
    goal, check = campaigns.add_goal(svc, ws, "Весна", "sessions", 150)
    assert goal.deadline == date(2025, 3, 9)
    assert "not_measurable" not in check.problems and "wording_missing:specific" in check.problems
    _, vague = campaigns.add_goal(svc, ws, "Весна", "awareness", None)
    assert {"not_measurable", "no_target"} <= set(vague.problems)
    status = campaigns.goal_status(svc, ws, spring, goal, date(2025, 4, 1))
    # Sessions of the spring_sale rows, matched ignoring case: 120 + 80.
    assert (status["actual"], status["status"], status["gap"]) == (200.0, "met", 50.0)
    er = campaigns.measure(svc, ws, spring, "engagement_rate", spring.starts_on, spring.ends_on)
    assert er == pytest.approx(265 / 5000)
    campaigns.set_manual_values(svc, ws, "leads", {date(2025, 3, 4): 7, date(2025, 3, 5): 3})
    assert (
        campaigns.measure(svc, ws, spring, "manual:leads", date(2025, 3, 3), date(2025, 3, 9)) == 10
    )


def test_demo_campaign_has_posts_traffic_and_goals(svc: Services) -> None:
    from datetime import UTC, datetime

    from otklik import demo_campaign
    from otklik.services import catalog, demo, reports

    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    ws = svc.workspace()
    catalog.add_brand(svc, ws, "Быстрая Почта", '"Быстрая Почта"', True)
    demo.load_campaign(svc, ws, now)
    data = reports.campaign_report(svc, ws, demo_campaign.CAMPAIGN, now.date())
    by_metric = {g["metric"]: g for g in data["goals"]}
    assert by_metric["sessions"]["status"] == "met"
    assert "not_measurable" in by_metric["узнаваемость"]["problems"]
    assert by_metric["manual:leads"]["actual"] is not None
    assert data["smm"]["er_reach"] is not None and data["smm"]["competitors"]
    assert [r["rubric"] for r in data["smm"]["by_rubric"] if r["is_dead_horse"]] == ["Мемы"]
    assert data["funnel"]["lost_most"] is not None
    assert data["team"]["ideas"]
    (debrief,) = data["answers"]  # the partner's debrief, linked and answered after the end
    assert (debrief["survey"], debrief["responses"]) == (demo_campaign.DEBRIEF, 3)
    overall = next(q for q in debrief["questions"] if q["id"] == "overall")
    assert overall["mean"] == pytest.approx(round(13 / 3, 2))
