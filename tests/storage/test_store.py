"""The store suite: runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from otklik.domain import Filters
from otklik.domain.mention import Analysis, Author, BrandHit, Mention
from otklik.errors import InputError
from otklik.storage import AnalysedMention, Store, catalog
from otklik.storage.aggregates import _from_mentions  # the path without rollups

BASE = datetime(2025, 3, 1, 9, 0)


def make(
    text: str,
    *,
    day: int = 0,
    channel: str = "vk",
    sentiment: str | None = "neutral",
    language: str | None = "ru",
    rating: float | None = None,
    brands: list[BrandHit] | None = None,
    tags: list[int] | None = None,
) -> AnalysedMention:
    mention = Mention(
        text=text,
        raw={"text": text},
        channel=channel,
        rating=rating,
        published_at=BASE + timedelta(days=day),
        author=Author(name="a"),
    )
    found = Analysis(language=language, sentiment=sentiment, brands=brands or [], tags=tags or [])
    return AnalysedMention(mention, found)


def insert(store: Store, ws: Any, batch: list[AnalysedMention]) -> list[int | None]:
    with store.begin() as conn:
        return store.insert(conn, ws, batch).ids


def rollup_equals_raw(store: Store, ws: Any, by: list[str], filters: Filters | None = None) -> None:
    from dataclasses import replace

    filters = filters or Filters()
    fast = store.count_by(ws, filters, by)
    with store.connect() as conn:
        from otklik.storage.aggregates import _fold_time

        slow = _fold_time(_from_mentions(conn, replace(filters, workspace_id=ws.id), by, None), by)
    key = lambda r: tuple(str(r[d]) for d in by)  # noqa: E731
    assert sorted(fast, key=key) == sorted(slow, key=key)


def test_stored_text_is_exactly_what_was_received(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    text = '<b>«Кавычки» "quotes"</b>\nновая строка 🙂 ' + "я" * 60_000
    [mid] = insert(store, ws, [make(text)])
    assert mid is not None
    assert store.mention(ws, mid).mention.text == text


def test_reimport_of_the_same_items_stores_nothing_twice(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    batch = [make("первый отзыв"), make("второй отзыв"), make("первый отзыв")]
    with store.begin() as conn:
        first = store.insert(conn, ws, batch)
    assert first.inserted == 2
    with store.begin() as conn:
        again = store.insert(conn, ws, [make("первый отзыв"), make("второй отзыв")])
    assert again.inserted == 0 and again.already_stored == [0, 1]
    assert store.count(ws, Filters()) == 2


def test_external_id_decides_identity_within_a_source(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    src = store.source_id(ws, "export.csv", "file")
    a = make("текст до правки", sentiment="negative")
    a.mention.external_id, a.mention.source_id = "42", src
    b = make("текст после правки", sentiment="positive")
    b.mention.external_id, b.mention.source_id = "42", src
    [mid] = insert(store, ws, [a])
    with store.begin() as conn:
        again = store.insert(conn, ws, [b])
    assert again.ids == [mid] and again.updated == [0] and again.inserted == 0
    assert store.count(ws, Filters()) == 1
    stored = store.mention(ws, mid or 0)
    assert (stored.mention.text, stored.analysis.sentiment) == ("текст после правки", "positive")
    rollup_equals_raw(store, ws, ["sentiment"])


def test_an_edited_item_keeps_peoples_corrections_and_case_work(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    src = store.source_id(ws, "hook", "webhook")
    with store.begin() as conn:
        delivery = catalog.add_tag(conn, ws.id, "доставка", "доставка", BASE)
        late = catalog.add_tag(conn, ws.id, "опоздание", "опоздала", BASE)
        catalog.add_tag(conn, ws.id, "курьер", None, BASE)
        ozon = catalog.add_brand(conn, ws.id, "Ozon", "ozon", False, BASE)
    a = make(
        "доставка опоздала",
        sentiment="negative",
        tags=[delivery.id, late.id],
        brands=[BrandHit(ozon.id, "main", "negative", 0.8)],
    )
    a.mention.external_id, a.mention.source_id = "7", src
    [mid] = insert(store, ws, [a])
    assert mid is not None
    store.correct_sentiment(ws, mid, "neutral", "ann@example.com")
    store.correct_sentiment(ws, mid, "positive", "ann@example.com", brand_id=ozon.id)
    store.update_case(ws, mid, status="in_progress", assignee="ann@example.com")
    with store.begin() as conn:
        catalog.set_person_tag(conn, ws.id, mid, "доставка", False, "ann", BASE)  # a veto
        catalog.set_person_tag(conn, ws.id, mid, "курьер", True, "ann", BASE)
    b = make(
        "доставка опоздала на день",
        sentiment="negative",
        tags=[delivery.id, late.id],
        brands=[BrandHit(ozon.id, "passing", "negative", 0.7)],
    )
    b.mention.external_id, b.mention.source_id = "7", src
    assert insert(store, ws, [b]) == [mid]
    stored = store.mention(ws, mid)
    assert stored.mention.text == "доставка опоздала на день"
    assert (stored.analysis.sentiment, stored.analysis.sentiment_source) == ("neutral", "person")
    assert (stored.status, stored.assignee) == ("in_progress", "ann@example.com")
    assert sorted(stored.tags) == ["курьер", "опоздание"]
    assert [(b.role, b.sentiment) for b in stored.brands] == [("passing", "positive")]
    rollup_equals_raw(store, ws, ["sentiment"])
    rollup_equals_raw(store, ws, ["tag"])
    rollup_equals_raw(store, ws, ["sentiment"], Filters(brand=("Ozon",)))


def test_near_duplicates_point_to_the_stored_original(store: Store) -> None:
    from otklik.pipeline.pipeline import Pipeline
    from otklik.pipeline.stage import Item
    from otklik.pipeline.stages.dedupe import DedupeStage
    from otklik.pipeline.stages.normalise import NormaliseStage

    pipeline = Pipeline([NormaliseStage(), DedupeStage()])
    ws = store.workspace("w", "UTC")
    original = "Курьер опоздал на четыре часа и даже не извинился, больше не закажу в этой службе"
    texts = [
        original,
        "RT @shop: " + original + " https://t.co/x",
        "Совсем другой отзыв о ценах на доставку и упаковке",
    ]

    def analysed(text: str, author: str) -> AnalysedMention:
        am = make(text)
        am.analysis = pipeline.analyse([Item.of(text)])[0]
        am.mention.author = Author(name=author)
        return am

    [first] = insert(store, ws, [analysed(texts[0], "a")])
    ids = insert(store, ws, [analysed(texts[1], "b"), analysed(texts[2], "c")])
    copy, other = store.mention(ws, ids[0] or 0), store.mention(ws, ids[1] or 0)
    assert copy.analysis.duplicate_of == first
    assert other.analysis.duplicate_of is None
    without = store.count(ws, Filters(include_duplicates=False))
    assert without == 2


def test_rollups_stay_in_step_on_insert_reanalysis_and_deletion(store: Store) -> None:
    ws = store.workspace("w", "Asia/Almaty")
    brand = None
    with store.begin() as conn:
        brand = catalog.add_brand(conn, ws.id, "Ozon", "ozon", False, BASE)
        other = catalog.add_brand(conn, ws.id, "Wildberries", "wildberries", False, BASE)
        tag = catalog.add_tag(conn, ws.id, "доставка", "доставка", BASE)
        price = catalog.add_tag(conn, ws.id, "цена", "цена", BASE)
    batch = [
        make(
            f"отзыв {i}",
            day=i % 5,
            channel=("vk", "review")[i % 2],
            sentiment=("positive", "negative", "neutral")[i % 3],
            language=("ru", "kk")[i % 2],
            rating=(None, 1, 2.5, 4.4, 4.5, 5)[i % 6],
            brands=[
                BrandHit(b.id, "main", *(("negative", 0.9) if i % 4 == 1 and n == 0 else ()))
                for n, b in enumerate((brand, other)[: i % 4 % 3])
            ],
            tags=[t.id for t in (tag, price)[: i % 3]],
        )
        for i in range(40)
    ]
    ids = [i for i in insert(store, ws, batch) if i is not None]
    for by in (
        ["day"],
        ["channel", "sentiment"],
        ["brand", "sentiment"],
        ["tag", "day"],
        ["language", "week"],
        ["rating"],
        ["brand", "rating", "sentiment"],
        ["tag", "brand"],
    ):
        rollup_equals_raw(store, ws, by)
    rollup_equals_raw(store, ws, ["sentiment"], Filters(brand=("Ozon",)))
    rollup_equals_raw(store, ws, ["rating"], Filters(brand=("Wildberries",)))
    rollup_equals_raw(store, ws, ["tag"], Filters(brand=("Ozon",)))
    rollup_equals_raw(store, ws, ["day"], Filters(brand=("Ozon", "Wildberries")))
    rollup_equals_raw(store, ws, ["month"], Filters(tag=("доставка", "цена")))
    stars = {r["rating"]: r["count"] for r in store.count_by(ws, Filters(), ["rating"])}
    assert stars == {None: 7, 1: 7, 3: 7, 4: 7, 5: 12}  # 2.5 → 3 and 4.5 → 5: half up
    store.update_analysis(
        ws,
        {
            ids[0]: Analysis(sentiment="positive", language="en"),
            ids[1]: Analysis(sentiment="negative", language="ru"),
        },
    )
    store.correct_sentiment(ws, ids[2], "positive", "анна@example.com")
    store.delete_mentions(ws, ids[3:10])
    with store.begin() as conn:
        catalog.replace_rule_tags(conn, ws.id, tag.id, ids[10:20], BASE)
        catalog.set_person_tag(conn, ws.id, ids[25], "доставка", True, "анна", BASE)
    for by in (
        ["day", "sentiment"],
        ["brand", "sentiment"],
        ["tag"],
        ["language"],
        ["rating", "brand"],
        ["tag", "brand"],
    ):
        rollup_equals_raw(store, ws, by)
    rollup_equals_raw(store, ws, ["tag"], Filters(brand=("Wildberries",)))
    assert store.count(ws, Filters()) == 33


def test_filters_narrow_the_feed_and_counts_agree(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    batch = [
        make(
            f"доставка номер {i}" if i % 2 else f"цена номер {i}",
            day=i,
            channel="vk" if i < 5 else "review",
            sentiment="negative" if i % 3 == 0 else "positive",
            language="kk" if i == 7 else "ru",
        )
        for i in range(10)
    ]
    insert(store, ws, batch)
    cases = [
        Filters(channel=("review",)),
        Filters(sentiment=("negative",)),
        Filters(language=("kk",)),
        Filters(since=BASE + timedelta(days=3), until=BASE + timedelta(days=6)),
        Filters(q="доставка"),
        Filters(q="доставка", channel=("vk",)),
    ]
    for filters in cases:
        records, _ = store.mentions(ws, filters, limit=100)
        assert len(records) == store.count(ws, filters)
    records, _ = store.mentions(ws, Filters(q="доставка"), limit=100)
    assert records and all("доставка" in r.mention.text for r in records)
    assert [r.analysis.language for r in store.mentions(ws, Filters(language=("kk",)))[0]] == ["kk"]


def test_cursor_paging_walks_every_mention_once_newest_first(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    insert(store, ws, [make(f"отзыв {i}", day=i // 3) for i in range(25)])
    seen: list[int] = []
    cursor = None
    while True:
        page, cursor = store.mentions(ws, Filters(), limit=7, cursor=cursor)
        seen.extend(r.mention.id or 0 for r in page)
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 25
    moments = [store.mention(ws, i).mention.published_at for i in seen]
    assert moments == sorted(moments, reverse=True)


def test_a_damaged_cursor_is_refused_clearly(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    with pytest.raises(InputError, match="cursor"):
        store.mentions(ws, Filters(), cursor="not-a-cursor")


def test_case_work_records_status_assignee_and_first_response(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    [mid] = insert(store, ws, [make("где мой заказ?")])
    assert mid is not None
    store.update_case(ws, mid, assignee="oleg@example.com")
    store.add_note(ws, mid, "note", "проверить трек", "oleg@example.com")
    store.add_note(ws, mid, "reply", "Ваш заказ в пути", "oleg@example.com")
    record = store.mention(ws, mid)
    assert record.status == "in_progress" and record.first_response_at is not None
    first = record.first_response_at
    store.add_note(ws, mid, "reply", "Доставлено", "oleg@example.com")
    closed = store.update_case(ws, mid, status="resolved")
    assert closed.first_response_at == first and closed.resolved_at is not None
    assert [n["kind"] for n in store.notes(ws, mid)] == ["note", "reply", "reply"]
    assert store.count(ws, Filters(status=("resolved",))) == 1
    with pytest.raises(InputError):
        store.update_case(ws, mid, status="done")


def test_a_correction_survives_reanalysis(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    [mid] = insert(store, ws, [make("спасибо, всё понятно", sentiment="positive")])
    assert mid is not None
    store.correct_sentiment(ws, mid, "negative", "ivan")
    store.update_analysis(
        ws,
        {
            mid: Analysis(
                sentiment="positive",
                sentiment_score=0.9,
                sentiment_source="model",
                language="ru",
            )
        },
    )
    analysis = store.mention(ws, mid).analysis
    assert (analysis.sentiment, analysis.sentiment_source) == ("negative", "person")
    [correction] = store.corrections(ws)
    assert (correction.label, correction.previous, correction.corrected_by) == (
        "negative",
        "positive",
        "ivan",
    )


def test_workspaces_do_not_see_each_other(store: Store) -> None:
    one, two = store.workspace("one", "UTC"), store.workspace("two", "UTC")
    [mid] = insert(store, one, [make("только в первом")])
    insert(store, two, [make("только во втором")])
    assert store.count(one, Filters()) == 1
    from otklik.errors import NotFoundError

    with pytest.raises(NotFoundError):
        store.mention(two, mid or 0)


def test_reanalysis_updates_language_but_keeps_a_persons_correction(store: Store) -> None:
    from otklik.reanalysis import reanalyse
    from otklik.settings import Settings

    ws = store.workspace("w", "UTC")
    ids = insert(
        store,
        ws,
        [
            make("Жеткізу өте жылдам болды", language=None, sentiment=None),
            make("Спасибо, всё понятно", language=None, sentiment="positive"),
        ],
    )
    store.correct_sentiment(ws, ids[1] or 0, "negative", "ivan")
    done = reanalyse(store, ws, Settings(stages=("normalise", "language")), Filters())
    assert done == 2
    first, second = store.mention(ws, ids[0] or 0), store.mention(ws, ids[1] or 0)
    assert first.analysis.language == "kk" and second.analysis.language == "ru"
    assert (second.analysis.sentiment, second.analysis.sentiment_source) == ("negative", "person")
    rollup_equals_raw(store, ws, ["language", "sentiment"])


def test_a_tag_a_person_removed_stays_off_when_the_rule_is_applied_again(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    with store.begin() as conn:
        tag = catalog.add_tag(conn, ws.id, "доставка", "доставка", BASE)
    ids = [i for i in insert(store, ws, [make(f"доставка {n}") for n in range(3)]) if i]

    def tagged() -> set[int]:
        page, _ = store.mentions(ws, Filters(tag=("доставка",)), limit=10)
        return {r.mention.id for r in page if r.mention.id is not None}

    with store.begin() as conn:
        catalog.replace_rule_tags(conn, ws.id, tag.id, ids, BASE)
    assert tagged() == set(ids)
    with store.begin() as conn:
        catalog.set_person_tag(conn, ws.id, ids[0], "доставка", False, "анна", BASE)
    assert tagged() == set(ids[1:])
    with store.begin() as conn:  # the rule runs again over all of them
        catalog.replace_rule_tags(conn, ws.id, tag.id, ids, BASE)
    assert tagged() == set(ids[1:])
    rollup_equals_raw(store, ws, ["tag"])
    with store.begin() as conn:
        catalog.set_person_tag(conn, ws.id, ids[0], "доставка", True, "анна", BASE)
    assert tagged() == set(ids)
    assert "доставка" in store.mention(ws, ids[0]).tags
    rollup_equals_raw(store, ws, ["tag", "day"])


def test_the_role_filter_picks_main_passing_and_comparison_mentions(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    with store.begin() as conn:
        ozon = catalog.add_brand(conn, ws.id, "Ozon", "ozon", False, BASE)
        wb = catalog.add_brand(conn, ws.id, "WB", "wb", False, BASE)

    def hit(b: Any, role: str, comparison: bool = False) -> BrandHit:
        return BrandHit(b.id, role, is_comparison=comparison)

    batch = [
        make("Ozon главный", brands=[hit(ozon, "main")]),
        make("про WB, Ozon вскользь", brands=[hit(wb, "main"), hit(ozon, "passing")]),
        make("Ozon дешевле WB", brands=[hit(ozon, "main", True), hit(wb, "main", True)]),
        make("без брендов"),
    ]
    insert(store, ws, batch)

    def texts(**params: Any) -> set[str]:
        page, _ = store.mentions(ws, Filters(**params), limit=10)
        return {r.mention.text for r in page}

    assert texts(role=("main",)) == {"Ozon главный", "про WB, Ozon вскользь", "Ozon дешевле WB"}
    assert texts(brand=("Ozon",), role=("main",)) == {"Ozon главный", "Ozon дешевле WB"}
    assert texts(brand=("Ozon",), role=("passing",)) == {"про WB, Ozon вскользь"}
    assert texts(role=("comparison",)) == {"Ozon дешевле WB"}
    by_brand = {
        r["brand"]: r["count"] for r in store.count_by(ws, Filters(role=("main",)), ["brand"])
    }
    assert by_brand == {"Ozon": 2, "WB": 2}
    assert store.count(ws, Filters(role=("passing",))) == 1
