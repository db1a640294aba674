from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from otklik.analysis import build_pipeline
from otklik.domain import Filters
from otklik.errors import InputError
from otklik.ingest.importer import ImportOptions, import_file
from otklik.pipeline.pipeline import Pipeline
from otklik.settings import Settings
from otklik.storage import Store
from otklik.storage import imports as import_runs

STAGES = ("normalise", "language", "dedupe")


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[Store]:
    store = Store.open(sqlite_url)
    store.init()
    yield store
    store.close()


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return build_pipeline(Settings(), stages=STAGES)


MESSY_ROWS = [
    "Дата;Текст отзыва;Автор;Оценка;Площадка;Лайки",
    '05.03.2025 14:30;"Доставка опять задержалась на три дня; курьер не отвечает";Иван;1;Отзовик;5',
    '6 марта 2025;"Всё отлично, спасибо!\r\nПриду ещё, ""лучший"" магазин";Мария;5;ВКонтакте;1,2K',
    "07.03.2025;;Пётр;3;vk;0",
    "32.03.2025;Плохая дата;Пётр;3;vk;0",
    "08.03.2025;Оценка странная;Анна;9;vk;0",
    '05.03.2025 14:30;"Доставка опять задержалась на три дня; курьер не отвечает";Иван;1;Отзовик;5',
    "09.03.2025;Курьер приехал вовремя;Олег;4;2ГИС;3",
    "10.03.2025;Лишние поля;тут;есть;x;y;z",
    "11.03.2025;<script>alert('x')</script> и <b>жирный</b> текст;Хакер;;;",
]


def write_messy(path: Path) -> Path:
    path.write_bytes(("\r\n".join(MESSY_ROWS) + "\r\n").encode("cp1251"))
    return path


def test_messy_windows_1251_export_keeps_every_good_row_and_reports_every_bad_one(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    ws = sqlite_store.workspace("w", "Europe/Moscow")
    result = import_file(
        sqlite_store, ws, pipeline, write_messy(tmp_path / "отзывы.csv"), ImportOptions()
    )
    assert (result.info.encoding, result.info.delimiter) == ("cp1251", ";")
    assert (result.rows_read, result.imported, result.duplicates, result.rejected) == (9, 4, 1, 4)
    with sqlite_store.connect() as conn:
        rejected = import_runs.rejections(conn, result.run_id)
    assert [(r.row_number, r.field) for r in rejected] == [
        (4, "text"),
        (5, "published_at"),
        (6, "rating"),
        (9, None),
    ]
    assert "32.03.2025;Плохая дата" in rejected[1].raw
    assert "outside the scale" in rejected[2].reason
    records, _ = sqlite_store.mentions(ws, Filters(), limit=10)
    texts = {r.mention.text for r in records}
    assert 'Всё отлично, спасибо!\r\nПриду ещё, "лучший" магазин' in texts
    assert "<script>alert('x')</script> и <b>жирный</b> текст" in texts
    maria = next(r for r in records if r.mention.author.name == "Мария")
    assert (maria.mention.channel, maria.mention.engagement.likes, maria.mention.rating) == (
        "vk",
        1200,
        5,
    )
    assert maria.mention.raw["Лайки"] == "1,2K"
    ivan = next(r for r in records if r.mention.author.name == "Иван")
    assert ivan.mention.published_at == datetime(2025, 3, 5, 11, 30)  # 14:30 Moscow


def test_a_second_import_of_the_same_file_adds_nothing(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    ws = sqlite_store.workspace("w", "UTC")
    path = write_messy(tmp_path / "a.csv")
    import_file(sqlite_store, ws, pipeline, path, ImportOptions())
    again = import_file(sqlite_store, ws, pipeline, path, ImportOptions())
    assert (again.imported, again.duplicates) == (0, 5)
    assert sqlite_store.count(ws, Filters()) == 4


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"), ("cp1251", "\t")],
)
def test_encodings_and_delimiters_are_detected(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    rows = [
        ["text", "date", "rating"],
        ["Отличный сервис и всё быстро", "2025-01-02", "5"],
        ["Жеткізу кешікті", "2025-01-03", "2"],
    ]
    path = tmp_path / "f.csv"
    path.write_bytes("\n".join(delimiter.join(r) for r in rows).encode(encoding))
    ws = sqlite_store.workspace("w", "UTC")
    result = import_file(sqlite_store, ws, pipeline, path, ImportOptions())
    assert result.imported == 2 and result.info.delimiter == delimiter
    records, _ = sqlite_store.mentions(ws, Filters(), limit=5)
    assert {r.mention.text for r in records} == {"Отличный сервис и всё быстро", "Жеткізу кешікті"}
    if encoding != "cp1251":  # Kazakh letters do not exist in Windows-1251
        assert {r.analysis.language for r in records} == {"ru", "kk"}


def test_json_lines_reject_broken_lines_and_keep_the_rest(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(
        '{"text": "first", "created_at": "2025-01-01T10:00:00Z", '
        '"author": {"name": "A", "followers": 10}}\n'
        '{"text": "broken\n'
        "[1, 2]\n"
        '{"content": "second", "likes": "5"}\n',
        encoding="utf-8",
    )
    ws = sqlite_store.workspace("w", "UTC")
    result = import_file(sqlite_store, ws, pipeline, path, ImportOptions())
    assert (result.imported, result.rejected) == (2, 2)
    with sqlite_store.connect() as conn:
        reasons = [r.reason for r in import_runs.rejections(conn, result.run_id)]
    assert reasons[0].startswith("not valid JSON") and "JSON object" in reasons[1]
    first = next(r for r in sqlite_store.mentions(ws, Filters())[0] if r.mention.text == "first")
    assert first.mention.author.name == "A" and first.mention.author.audience == 10


def test_a_json_array_cut_short_keeps_the_items_before_the_break(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    items = [{"text": f"отзыв номер {i}", "date": "2025-02-01"} for i in range(3)]
    whole = json.dumps(items, ensure_ascii=False, indent=1)
    path = tmp_path / "cut.json"
    path.write_text(whole[: whole.rindex("{") + 12], encoding="utf-8")
    ws = sqlite_store.workspace("w", "UTC")
    result = import_file(sqlite_store, ws, pipeline, path, ImportOptions())
    assert (result.imported, result.rejected) == (2, 1)
    with sqlite_store.connect() as conn:
        [kept] = import_runs.rejections(conn, result.run_id)
    assert "отзыв номер 2" not in kept.raw or kept.raw.startswith("{")
    assert kept.raw.strip().startswith("{")


def test_json_object_with_items_and_xlsx_are_read(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    path = tmp_path / "export.json"
    path.write_text(
        json.dumps({"total": 1, "items": [{"body": "из json", "rating": 4}]}), encoding="utf-8"
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Мәтін", "Күні", "Баға"])
    sheet.append(["Қызмет жақсы", datetime(2025, 5, 1, 12, 0), 5])
    sheet.append([None, None, None])
    sheet.append(["Баға жоқ", "01.05.2025", None])
    xlsx = tmp_path / "export.xlsx"
    book.save(xlsx)
    ws = sqlite_store.workspace("w", "UTC")
    assert import_file(sqlite_store, ws, pipeline, path, ImportOptions()).imported == 1
    result = import_file(sqlite_store, ws, pipeline, xlsx, ImportOptions())
    assert (result.imported, result.rejected) == (2, 0)
    kk = next(
        r for r in sqlite_store.mentions(ws, Filters())[0] if r.mention.text == "Қызмет жақсы"
    )
    assert kk.mention.published_at == datetime(2025, 5, 1, 12, 0) and kk.mention.rating == 5


def test_explicit_mapping_and_rating_scale(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    path = tmp_path / "f.csv"
    path.write_text("Отклик клиента,Балл\nХорошо,10\nПлохо,11\n", encoding="utf-8")
    ws = sqlite_store.workspace("w", "UTC")
    options = ImportOptions(
        mapping={"Отклик клиента": "text", "Балл": "rating"}, rating_scale=(1, 10)
    )
    result = import_file(sqlite_store, ws, pipeline, path, options)
    assert (result.imported, result.rejected) == (1, 1)
    [good] = sqlite_store.mentions(ws, Filters())[0]
    assert good.mention.rating == 5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00\x00" * 10, "binary"),
        ("колонка,другая\nа,б\n".encode(), "no text column"),
    ],
)
def test_unreadable_files_get_one_clear_error(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        import_file(
            sqlite_store, sqlite_store.workspace("w", "UTC"), pipeline, path, ImportOptions()
        )


def test_an_interrupted_import_rerun_ends_in_the_same_state(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    lines = ["text,date"] + [
        f"Отзыв номер {i} о доставке,2025-01-{1 + i % 28:02d}" for i in range(250)
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    ws = sqlite_store.workspace("w", "UTC")

    def stop_after_first_batch(_bytes: int, rows: int) -> None:
        if rows >= 100:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_file(
            sqlite_store, ws, pipeline, path, ImportOptions(batch_size=100), stop_after_first_batch
        )
    assert sqlite_store.count(ws, Filters()) == 100
    rerun = import_file(sqlite_store, ws, pipeline, path, ImportOptions(batch_size=100))
    assert (rerun.imported, rerun.duplicates) == (150, 100)
    assert sqlite_store.count(ws, Filters()) == 250
    assert sum(r["count"] for r in sqlite_store.count_by(ws, Filters(), ["day"])) == 250


def test_a_quote_never_closed_costs_only_its_own_row(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        'date;text;author\n05.03.2025;"Незакрытая кавычка;Иван\n'
        '06.03.2025;"Многострочный\nотзыв";Мария\n07.03.2025;Экран 5" дюймов;Олег\n',
        encoding="utf-8",
    )
    ws = sqlite_store.workspace("w", "UTC")
    result = import_file(sqlite_store, ws, pipeline, path, ImportOptions())
    assert (result.imported, result.rejected) == (2, 1)
    with sqlite_store.connect() as conn:
        [bad] = import_runs.rejections(conn, result.run_id)
    assert "never closed" in bad.reason and "Незакрытая" in bad.raw
    texts = {r.mention.text for r in sqlite_store.mentions(ws, Filters())[0]}
    assert texts == {"Многострочный\nотзыв", 'Экран 5" дюймов'}


def test_a_big_file_analysed_in_a_separate_process_stores_the_same(
    tmp_path: Path, pipeline: Pipeline
) -> None:
    rows = ["Дата;Текст;Оценка"]
    for i in range(1500):
        text = (
            f"Курьер опоздал на {i % 7} дня, заказ {i % 40} пришёл мятым"
            if i % 3
            else f"Delivery number {i} arrived on time, thanks"
        )
        rows.append(f"0{1 + i % 9}.03.2025;{text};{1 + i % 5}")
    rows.append("31.02.2025;дата не бывает;3")
    path = tmp_path / "big.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    seen = []
    for name, threshold in (("inline", 10**12), ("process", 0)):
        store = Store.open(f"sqlite:///{tmp_path / name}.db")
        store.init()
        ws = store.workspace("w", "UTC")
        options = ImportOptions(batch_size=200, process_bytes=threshold)
        result = import_file(store, ws, pipeline, path, options)
        stored = [
            (r.mention.text, r.analysis.language, r.analysis.duplicate_of is not None)
            for r in store.mentions(ws, Filters(), limit=5000)[0]
        ]
        seen.append((result.imported, result.rejected, result.near_duplicates, sorted(stored)))
        store.close()
    assert seen[0] == seen[1]
    imported, rejected, copies, stored = seen[0]
    assert (imported, rejected) == (1500, 1) and copies > 0
    assert {language for _, language, _ in stored} == {"ru", "en"}


def test_a_json_item_is_kept_as_received_nested_and_in_cyrillic(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    item = {"text": "Курьер опоздал", "author": {"name": "Анна", "followers": 120}, "tags": ["a"]}
    path = tmp_path / "export.json"
    path.write_text(json.dumps([item], ensure_ascii=False), encoding="utf-8")
    ws = sqlite_store.workspace("w", "UTC")
    result = import_file(sqlite_store, ws, pipeline, path, ImportOptions())
    assert result.imported == 1
    [record] = sqlite_store.mentions(ws, Filters())[0]
    assert record.mention.raw == item
    assert record.mention.author.name == "Анна" and record.mention.author.audience == 120
    with sqlite_store.connect() as conn:
        stored = conn.exec_driver_sql("SELECT raw FROM mention").scalar_one()
    assert "Курьер" in stored  # readable UTF-8, not \\u escapes
