"""UI strings in Russian and English; the choice is remembered in a cookie."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

LANGUAGES = ("ru", "en")
LANG_COOKIE = "otklik_lang"
WELCOME_KK = "Қош келдіңіз! Otklik — клиенттердің пікірлері бір жерде."

_STRINGS: dict[str, tuple[str, str]] = {
    "app.tagline": ("Отзывы клиентов в одном месте", "Customer feedback in one place"),
    "app.timezone": ("Часовой пояс", "Time zone"),
    "nav.overview": ("Обзор", "Overview"),
    "nav.mentions": ("Упоминания", "Mentions"),
    "nav.import": ("Импорт", "Import"),
    "nav.brands": ("Бренды", "Brands"),
    "nav.tags": ("Теги", "Tags"),
    "nav.users": ("Пользователи", "Users"),
    "nav.jobs": ("Задачи", "Jobs"),
    "nav.logout": ("Выйти", "Sign out"),
    "login.title": ("Вход", "Sign in"),
    "login.email": ("Эл. почта", "E-mail"),
    "login.password": ("Пароль", "Password"),
    "login.submit": ("Войти", "Sign in"),
    "login.failed": ("Неверная почта или пароль", "Wrong e-mail or password"),
    "login.limited": (
        "Слишком много попыток входа. Повторите через {seconds} с.",
        "Too many sign-in attempts. Try again in {seconds} s.",
    ),
    "error.forbidden": (
        "Вашей роли это недоступно (нужна роль: {role}).",
        "Your role may not do this (needs role: {role}).",
    ),
    "error.csrf": (
        "Форма устарела или отправлена не с этого сайта. Обновите страницу и повторите.",
        "The form is stale or came from another site. Reload the page and try again.",
    ),
    "error.notfound": ("Не найдено", "Not found"),
    "error.bad": ("Ошибка в запросе", "Bad request"),
    "overview.title": ("Обзор", "Overview"),
    "overview.period": ("Период", "Period"),
    "overview.days": ("дней", "days"),
    "overview.brand": ("Бренд", "Brand"),
    "overview.all_brands": ("Все бренды", "All brands"),
    "overview.show": ("Показать", "Show"),
    "overview.total": ("Упоминаний за период", "Mentions in period"),
    "overview.negative_share": ("Доля негатива", "Negative share"),
    "overview.volume": ("Упоминания по дням и тональности", "Mentions by day and sentiment"),
    "overview.channels": ("Каналы", "Channels"),
    "overview.sov": (
        "Доля голоса и тональность по брендам",
        "Share of voice and sentiment by brand",
    ),
    "overview.tags": (
        "Топ тегов (изменение к прошлому периоду)",
        "Top tags (change vs previous period)",
    ),
    "overview.ratings": ("Оценки", "Ratings"),
    "overview.languages": ("Языки", "Languages"),
    "overview.own": ("наш", "own"),
    "overview.competitor": ("конкурент", "competitor"),
    "overview.empty": ("Нет данных за период", "No data for this period"),
    "overview.hint": (
        "Нажмите на элемент графика, чтобы открыть упоминания",
        "Click a chart element to open its mentions",
    ),
    "feed.title": ("Упоминания", "Mentions"),
    "feed.filter": ("Фильтр", "Filter"),
    "feed.reset": ("Сбросить", "Reset"),
    "feed.search": ("Поиск (язык запросов)", "Search (query language)"),
    "feed.next": ("Дальше →", "Next →"),
    "feed.first": ("← В начало", "← First page"),
    "feed.export": ("Экспорт", "Export"),
    "feed.none": ("Ничего не найдено", "Nothing found"),
    "feed.count": ("Найдено: {n}", "Found: {n}"),
    "field.brand": ("Бренд", "Brand"),
    "field.tag": ("Тег", "Tag"),
    "field.sentiment": ("Тональность", "Sentiment"),
    "field.channel": ("Канал", "Channel"),
    "field.source": ("Источник", "Source"),
    "field.language": ("Язык", "Language"),
    "field.rating_min": ("Оценка от", "Rating from"),
    "field.rating_max": ("Оценка до", "Rating to"),
    "field.status": ("Статус", "Status"),
    "field.since": ("С", "Since"),
    "field.until": ("По", "Until"),
    "field.published": ("Опубликовано", "Published"),
    "field.author": ("Автор", "Author"),
    "field.text": ("Текст", "Text"),
    "field.rating": ("Оценка", "Rating"),
    "field.assignee": ("Ответственный", "Assignee"),
    "field.tags": ("Теги", "Tags"),
    "field.brands": ("Бренды", "Brands"),
    "field.name": ("Название", "Name"),
    "field.query": ("Запрос", "Query"),
    "field.own": ("Наш бренд", "Own brand"),
    "field.role": ("Роль", "Role"),
    "field.created": ("Создан", "Created"),
    "field.any": ("— любой —", "— any —"),
    "field.engagement": ("Реакции", "Engagement"),
    "sentiment.positive": ("позитив", "positive"),
    "sentiment.neutral": ("нейтрально", "neutral"),
    "sentiment.negative": ("негатив", "negative"),
    "sentiment.none": ("не определена", "unknown"),
    "role.main": ("главная тема", "main subject"),
    "role.passing": ("упоминание вскользь", "passing mention"),
    "role.comparison": ("сравнение", "comparison"),
    "status.new": ("новое", "new"),
    "status.in_progress": ("в работе", "in progress"),
    "status.resolved": ("решено", "resolved"),
    "status.ignored": ("без ответа", "ignored"),
    "mention.title": ("Упоминание", "Mention"),
    "mention.original": ("Открыть оригинал", "Open original"),
    "mention.raw": ("Исходные данные", "Raw payload"),
    "mention.analysis": ("Анализ", "Analysis"),
    "mention.source_of": ("источник оценки", "from"),
    "mention.correct": ("Исправить тональность", "Correct sentiment"),
    "mention.case": ("Работа с обращением", "Case"),
    "mention.save": ("Сохранить", "Save"),
    "mention.add_tag": ("Добавить тег", "Add tag"),
    "mention.remove": ("убрать", "remove"),
    "mention.notes": ("Заметки и ответы", "Notes and replies"),
    "mention.note": ("Внутренняя заметка", "Internal note"),
    "mention.reply": ("Отправленный ответ", "Reply that was sent"),
    "mention.add_note": ("Добавить", "Add"),
    "mention.first_response": ("Время до первого ответа", "First response time"),
    "mention.no_response": ("ответа ещё нет", "no reply yet"),
    "mention.duplicate_of": ("Копия упоминания", "Copy of mention"),
    "mention.readonly": ("Роль «наблюдатель»: только просмотр", "Viewer role: read only"),
    "import.title": ("Импорт файла", "Import a file"),
    "import.file": ("Файл (CSV, XLSX, JSON, JSONL)", "File (CSV, XLSX, JSON, JSONL)"),
    "import.source": ("Источник (необязательно)", "Source (optional)"),
    "import.channel": ("Канал для строк без канала", "Channel for rows that name none"),
    "import.submit": ("Импортировать", "Import"),
    "import.report": ("Отчёт об импорте", "Import report"),
    "import.queued": (
        "Файл большой: его импортирует фоновая задача №{job}.",
        "A big file: background job #{job} imports it.",
    ),
    "import.queued.link": ("Ход выполнения — на странице задач", "Progress on the Jobs page"),
    "import.read": ("прочитано строк", "rows read"),
    "import.imported": ("сохранено", "imported"),
    "import.duplicates": ("повторы", "duplicates"),
    "import.rejected": ("отклонено", "rejected"),
    "import.sheets": ("Прочитаны листы", "Sheets read"),
    "import.skipped": ("Пропущен лист", "Sheet skipped"),
    "import.sheet.empty": ("пустой", "empty"),
    "import.sheet.different columns": ("другие столбцы", "different columns"),
    "import.download": ("Скачать отклонённые строки (CSV)", "Download rejected rows (CSV)"),
    "import.recent": ("Недавние импорты", "Recent imports"),
    "brands.title": ("Бренды", "Brands"),
    "brands.add": ("Добавить бренд", "Add brand"),
    "tags.title": ("Теги", "Tags"),
    "tags.add": ("Добавить тег", "Add tag"),
    "catalog.preview": ("Совпадения (предпросмотр)", "Matches (preview)"),
    "catalog.save": ("Сохранить", "Save"),
    "catalog.delete": ("Удалить", "Delete"),
    "rematch.queued": ("История: ждёт пересчёта", "History: waiting to be matched again"),
    "rematch.running": (
        "История: пересчитано {done} из {total}",
        "History: {done} of {total} matched again",
    ),
    "rematch.done": (
        "История пересчитана: совпадений {matched}",
        "History matched again: {matched} mentions",
    ),
    "rematch.failed": (
        "Пересчёт истории не удался: {error}",
        "Matching history again failed: {error}",
    ),
    "rematch.cancelled": ("Пересчёт истории отменён", "Matching history again was cancelled"),
    "jobs.title": ("Фоновые задачи", "Background jobs"),
    "jobs.empty": ("Задач пока нет.", "No jobs yet."),
    "jobs.id": ("№", "#"),
    "jobs.kind": ("Вид", "Kind"),
    "jobs.status": ("Состояние", "Status"),
    "jobs.progress": ("Ход", "Progress"),
    "jobs.result": ("Итог", "Result"),
    "jobs.error": ("Ошибка", "Error"),
    "jobs.attempts": ("Попытки", "Attempts"),
    "jobs.created": ("Создана", "Created"),
    "jobs.cancel": ("Отменить", "Cancel"),
    "jobs.kind.import": ("Импорт файла", "File import"),
    "jobs.kind.rematch_brand": ("Пересчёт бренда", "Brand re-match"),
    "jobs.kind.rematch_tag": ("Пересчёт тега", "Tag re-match"),
    "jobs.kind.reanalyse": ("Повторный анализ", "Re-analysis"),
    "jobs.status.queued": ("в очереди", "queued"),
    "jobs.status.running": ("выполняется", "running"),
    "jobs.status.done": ("готово", "done"),
    "jobs.status.failed": ("ошибка", "failed"),
    "jobs.status.cancelled": ("отменена", "cancelled"),
    "jobs.note": (
        "Задачи выполняет `otklik worker` (или встроенный в `otklik serve`).",
        "Jobs are run by `otklik worker` (or the one built into `otklik serve`).",
    ),
    "catalog.rule_note": (
        "Тег с запросом ставится автоматически при импорте.",
        "A tag with a query is applied automatically on import.",
    ),
    "users.title": ("Пользователи", "Users"),
    "users.add": ("Добавить пользователя", "Add user"),
    "users.tokens": ("API-токены", "API tokens"),
    "users.new_token": ("Новый токен", "New token"),
    "users.token_once": (
        "Скопируйте токен сейчас — он больше не будет показан:",
        "Copy the token now — it will not be shown again:",
    ),
    "users.revoke": ("Отозвать", "Revoke"),
    "users.revoked": ("отозван", "revoked"),
    "users.last_used": ("Последнее использование", "Last used"),
    "users.token_name": ("Название токена", "Token name"),
    "role.admin": ("администратор", "admin"),
    "role.analyst": ("аналитик", "analyst"),
    "role.viewer": ("наблюдатель", "viewer"),
}


def language_of(request: Request) -> str:
    """The UI language: the remembered choice, else the browser's preference, else Russian."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    accept = request.headers.get("accept-language", "").lower()
    if accept.startswith("en"):
        return "en"
    return "ru"


def translator(lang: str) -> Callable[..., str]:
    """A function from string key (and format values) to the text in `lang`."""
    index = 1 if lang == "en" else 0

    def t(key: str, **values: object) -> str:
        pair = _STRINGS.get(key)
        text = pair[index] if pair else key
        return text.format(**values) if values else text

    return t


def keys() -> list[str]:
    """Every string key (for tests that check both languages are complete)."""
    return sorted(_STRINGS)
