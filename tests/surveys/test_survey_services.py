"""Survey documents, responses as mentions, cases, review links and scores on both databases."""

from __future__ import annotations

import math

import pytest

from otklik.domain.filters import Filters
from otklik.services import Services, imports, mentions
from otklik.services import surveys as service
from otklik.surveys import scores
from otklik.surveys.document import SurveyError, parse
from otklik.surveys.templates import TEMPLATES, template


def test_templates_round_trip_and_bad_documents_name_every_place() -> None:
    for name in TEMPLATES:
        survey = parse(template(name, name))
        assert parse(survey.to_dict()) == survey
        assert all(set(q.text) == {"ru", "kk", "en"} for q in survey.questions)
    bad = template("post-purchase", "x")
    del bad["questions"][2]["text"]["kk"]
    bad["questions"][1]["kind"] = "essay"
    bad["questions"][3]["show_if"] = {"question": "later", "max": 3}
    with pytest.raises(SurveyError) as found:
        parse(bad)
    assert found.value.problems == [
        "questions[1].kind: 'essay' is not one of nps, csat, ces, rating, single, multiple, text",
        "questions[2].text.kk: missing",
        "questions[3].show_if.question: must name an earlier question",
    ]


def test_a_response_is_a_mention_with_answers_and_a_detractor_opens_a_case(
    svc: Services,
) -> None:
    ws = svc.workspace()
    record = service.add_from_template(svc, ws, "After delivery", "post-purchase", ["kk", "ru"])
    document = service.export_document(svc, ws, "After delivery")
    assert [q["kind"] for q in document["questions"]] == ["nps", "text", "text", "single"]
    document["assignee"] = "care@example.kz"
    document["review_links"] = [{"site": "2gis", "url": "https://2gis.kz/almaty/firm/1"}]
    record, is_new = service.import_document(svc, ws, document)
    assert not is_new
    assert service.summary(svc, record)["url"] == "https://otklik.example.kz/s/after-delivery"

    with pytest.raises(service.AnswersRejected) as bad:
        service.respond(svc, ws, record, {"nps": 11}, "kk", "api", strict=True)
    assert bad.value.question == "nps"
    with pytest.raises(service.AnswersRejected) as empty:
        service.respond(svc, ws, record, {}, "kk", "link")
    assert empty.value.question == "nps"
    with pytest.raises(service.AnswersRejected) as missing:
        service.respond(svc, ws, record, {"improve": "x"}, "kk", "api")
    assert missing.value.question == "nps"

    sad = service.respond(
        svc,
        ws,
        record,
        {"nps": 3, "what_went_wrong": "Курьер үш күн кешікті, өте нашар", "category": "furniture"},
        "kk",
        "link",
        contact={"email": "aigerim@example.kz", "city": "Алматы"},
    )
    happy = service.respond(svc, ws, record, {"nps": "10"}, "ru", "widget")
    assert sad.is_case and not sad.is_promoter and not happy.is_case and happy.is_promoter
    assert happy.review_links == [{"site": "2gis", "url": "https://2gis.kz/almaty/firm/1"}]

    stored = mentions.detail(svc, ws, sad.mention_id)
    assert stored["channel"] == "survey" and stored["answers"]["nps"] == 3
    assert stored["answers"]["category"] == "furniture"
    assert stored["status"] == "new" and stored["assignee"] == "care@example.kz"
    note = stored["notes"][0]["body"]  # in the workspace's language (en), answers as shown
    assert note.startswith("Survey answers\n") and "aigerim@example.kz" in note
    assert "What did you buy? — Жиһаз" not in note and "Не сатып алдыңыз? — Жиһаз" in note
    assert imports.recent_runs(svc, ws) == []  # a run per response: not an import to list
    listed = mentions.export_rows(svc, ws, Filters(channel=("survey",)))
    assert len(listed) == 2 and all('"nps"' in row["answers"] for row in listed)
    assert service.click(svc, record.slug, "2gis") == "https://2gis.kz/almaty/firm/1"
    assert service.report(svc, ws, "After delivery")["review_clicks"] == {"2gis": 1}
    headers, table = service.response_table(svc, ws, "After delivery", "kk")
    assert headers[5].startswith("Бізді досыңызға") and table[0][5:] == [
        3,
        "Курьер үш күн кешікті, өте нашар",
        "",
        "Жиһаз",
    ]


def test_nps_and_its_interval_equal_a_hand_computation(svc: Services) -> None:
    ws = svc.workspace()
    record = service.add_from_template(svc, ws, "Pulse", "post-purchase")
    answers = [10, 10, 9, 9, 9, 8, 7, 6, 5, 3, 0, 10]
    for value in answers:
        service.respond(svc, ws, record, {"nps": value}, "en", "api")
    found = service.report(svc, ws, "Pulse", by=["via"])
    # By hand: 6 promoters, 2 passives, 4 detractors of 12.
    p, d, n = 6 / 12, 4 / 12, 12
    nps = 100 * (p - d)
    half = 1.959963984540054 * 100 * math.sqrt((p + d - (p - d) ** 2) / n)
    assert (found["promoters"], found["passives"], found["detractors"]) == (6, 2, 4)
    assert found["responses"] == 12 and found["nps"] == round(nps, 1) == 16.7
    assert found["nps_ci"] == [round(nps - half, 1), round(nps + half, 1)] == [-34.1, 67.4]
    assert found["breakdowns"]["via"][0]["value"] == "api"
    small = service.report(svc, ws, "Pulse", min_answers=13)
    assert small["nps"] is None and small["nps_too_few"] and small["promoters"] == 6


def test_csat_share_and_ces_mean_intervals() -> None:
    share = scores.csat([5, 5, 4, 4, 3, 2, 1, 5, 4, 4])
    assert share.value == 70.0 and share.low is not None and share.low < 70 < (share.high or 0)
    # Wilson by hand: p = 0.7, n = 10, z = 1.96.
    z, p, n = 1.959963984540054, 0.7, 10
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert (share.low, share.high) == (
        round(100 * (centre - half), 1),
        round(100 * (centre + half), 1),
    )
    mean = scores.ces([1, 2, 2, 3, 3, 3, 4, 4, 5, 7])
    assert mean.value == 3.4 and mean.low is not None and mean.low < 3.4
    assert scores.ces([1, 2]).value is None
