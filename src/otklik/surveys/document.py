"""A survey as a JSON document: questions of seven kinds, texts per language, simple logic.

The document is what `otklik surveys export` prints and `import` reads; `parse` checks all of
it and names every bad place (`questions[2].text.kk: missing`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from otklik.errors import InputError

LANGUAGES = ("ru", "kk", "en")
KINDS = ("nps", "csat", "ces", "rating", "single", "multiple", "text")
# The scale of each numeric kind, inclusive.
SCALES: dict[str, tuple[int, int]] = {
    "nps": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
    "rating": (1, 5),
}
REVIEW_SITES = ("2gis", "google_maps", "yandex_maps", "kaspi", "app_store", "google_play", "other")
MAX_QUESTIONS = 50
MAX_TEXT = 2000  # characters an open answer may have
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")


class SurveyError(InputError):
    """A survey document that cannot be used; `problems` lists each bad place."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("invalid survey: " + "; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Option:
    """A choice of a single or multiple choice question."""

    id: str
    text: dict[str, str]


@dataclass(frozen=True)
class ShowIf:
    """Ask a question only when an earlier answer is within min..max or among `any_of`."""

    question: str
    min: float | None = None
    max: float | None = None
    any_of: tuple[str, ...] = ()

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """True when the earlier answer meets the condition (never when it is missing)."""
        value = answers.get(self.question)
        if value is None or value == "" or value == []:
            return False
        if self.any_of:
            chosen = value if isinstance(value, list) else [value]
            return any(str(v) in self.any_of for v in chosen)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def to_dict(self) -> dict[str, Any]:
        """The document's form."""
        out: dict[str, Any] = {"question": self.question}
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        if self.any_of:
            out["any_of"] = list(self.any_of)
        return out


@dataclass(frozen=True)
class Question:
    """One question: its id, kind, whether it must be answered, texts and options."""

    id: str
    kind: str
    text: dict[str, str]
    required: bool = False
    options: tuple[Option, ...] = ()
    show_if: ShowIf | None = None

    @property
    def scale(self) -> tuple[int, int] | None:
        """The inclusive range of a numeric kind."""
        return SCALES.get(self.kind)

    def to_dict(self) -> dict[str, Any]:
        """The document's form."""
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "required": self.required,
            "text": dict(self.text),
        }
        if self.options:
            out["options"] = [{"id": o.id, "text": dict(o.text)} for o in self.options]
        if self.show_if is not None:
            out["show_if"] = self.show_if.to_dict()
        return out


@dataclass(frozen=True)
class ReviewLink:
    """Where a promoter is asked to leave a public review."""

    site: str
    url: str


@dataclass(frozen=True)
class Survey:
    """A survey document (without its storage id)."""

    name: str
    languages: tuple[str, ...]
    title: dict[str, str]
    questions: tuple[Question, ...]
    intro: dict[str, str] = field(default_factory=dict)
    review_links: tuple[ReviewLink, ...] = ()
    assignee: str | None = None  # who a case opened by an answer goes to
    slug: str | None = None
    allow_origins: tuple[str, ...] = ()  # sites that may embed the widget

    def question(self, question_id: str) -> Question | None:
        """The question with this id."""
        return next((q for q in self.questions if q.id == question_id), None)

    def first_of(self, kind: str) -> Question | None:
        """The first question of a kind (the one the scores use)."""
        return next((q for q in self.questions if q.kind == kind), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document."""
        out: dict[str, Any] = {
            "name": self.name,
            "slug": self.slug,
            "languages": list(self.languages),
            "title": dict(self.title),
            "intro": dict(self.intro),
            "questions": [q.to_dict() for q in self.questions],
            "review_links": [{"site": r.site, "url": r.url} for r in self.review_links],
            "assignee": self.assignee,
            "allow_origins": list(self.allow_origins),
        }
        return out


def text_in(texts: Mapping[str, str], language: str, languages: Sequence[str]) -> str:
    """A text in `language`, else in the survey's first language that has one."""
    if texts.get(language):
        return texts[language]
    for other in (*languages, *LANGUAGES):
        if texts.get(other):
            return texts[other]
    return ""


def parse(document: Any) -> Survey:
    """The survey a JSON document describes; SurveyError naming every bad place."""
    problems: list[str] = []
    if not isinstance(document, Mapping):
        raise SurveyError(["the document must be a JSON object"])
    name = document.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.append("name: a text of 1 to 200 characters is needed")
        name = ""
    slug = document.get("slug")
    if slug is not None and (not isinstance(slug, str) or not _SLUG.match(slug)):
        problems.append("slug: 3 to 64 lower-case Latin letters, digits and dashes")
        slug = None
    languages = _languages(document.get("languages", list(LANGUAGES)), problems)
    title = _texts(document.get("title"), "title", languages, problems, required=True)
    intro = _texts(document.get("intro") or {}, "intro", languages, problems, required=False)
    raw_questions = document.get("questions")
    questions: list[Question] = []
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.append("questions: a non-empty list is needed")
    elif len(raw_questions) > MAX_QUESTIONS:
        problems.append(f"questions: at most {MAX_QUESTIONS}")
    else:
        for index, raw in enumerate(raw_questions):
            found = _question(raw, f"questions[{index}]", languages, questions, problems)
            if found is not None:
                questions.append(found)
    links = _review_links(document.get("review_links") or [], problems)
    assignee = document.get("assignee")
    if assignee is not None and not isinstance(assignee, str):
        problems.append("assignee: a text (an e-mail or name) or null")
        assignee = None
    origins = document.get("allow_origins") or []
    if not isinstance(origins, list) or not all(
        isinstance(o, str) and re.match(r"^https?://[^/\s]+$", o) for o in origins
    ):
        problems.append("allow_origins: a list of origins like https://shop.example.kz")
        origins = []
    if problems:
        raise SurveyError(problems)
    return Survey(
        name=str(name).strip(),
        languages=tuple(languages),
        title=title,
        questions=tuple(questions),
        intro=intro,
        review_links=tuple(links),
        assignee=(assignee or "").strip() or None,
        slug=slug,
        allow_origins=tuple(origins),
    )


def _languages(value: Any, problems: list[str]) -> list[str]:
    if not isinstance(value, list) or not value:
        problems.append("languages: a non-empty list of ru, kk, en")
        return list(LANGUAGES)
    bad = [v for v in value if v not in LANGUAGES]
    if bad:
        problems.append(f"languages: {bad} are not among ru, kk, en")
    return [v for v in dict.fromkeys(value) if v in LANGUAGES] or list(LANGUAGES)


def _texts(
    value: Any, where: str, languages: Sequence[str], problems: list[str], *, required: bool
) -> dict[str, str]:
    if not isinstance(value, Mapping):
        problems.append(f'{where}: an object of texts per language, e.g. {{"ru": "…"}}')
        return {}
    texts = {k: v.strip() for k, v in value.items() if isinstance(v, str) and v.strip()}
    for key in value:
        if key not in LANGUAGES:
            problems.append(f"{where}.{key}: not a language of ru, kk, en")
    if required:
        for language in languages:
            if language not in texts:
                problems.append(f"{where}.{language}: missing")
    return {k: v for k, v in texts.items() if k in LANGUAGES}


def _question(
    raw: Any,
    where: str,
    languages: Sequence[str],
    earlier: Sequence[Question],
    problems: list[str],
) -> Question | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: an object with id, kind and text")
        return None
    qid = raw.get("id")
    before = len(problems)
    if not isinstance(qid, str) or not _ID.match(qid):
        problems.append(f"{where}.id: lower-case Latin letters, digits and _ (up to 40)")
    elif any(q.id == qid for q in earlier):
        problems.append(f"{where}.id: {qid!r} is used twice")
    kind = raw.get("kind")
    if kind not in KINDS:
        problems.append(f"{where}.kind: {kind!r} is not one of {', '.join(KINDS)}")
    text = _texts(raw.get("text"), f"{where}.text", languages, problems, required=True)
    required = raw.get("required", False)
    if not isinstance(required, bool):
        problems.append(f"{where}.required: true or false")
    options: list[Option] = []
    if kind in ("single", "multiple"):
        raw_options = raw.get("options")
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            problems.append(f"{where}.options: at least two options for a choice question")
        else:
            for index, option in enumerate(raw_options):
                at = f"{where}.options[{index}]"
                oid = option.get("id") if isinstance(option, Mapping) else None
                if not isinstance(oid, str) or not _ID.match(oid):
                    problems.append(f"{at}.id: lower-case Latin letters, digits and _")
                    continue
                if any(o.id == oid for o in options):
                    problems.append(f"{at}.id: {oid!r} is used twice")
                otext = _texts(option.get("text"), f"{at}.text", languages, problems, required=True)
                options.append(Option(oid, otext))
    elif raw.get("options"):
        problems.append(f"{where}.options: only single and multiple choice questions have them")
    show_if = _show_if(raw.get("show_if"), f"{where}.show_if", earlier, problems)
    if len(problems) > before:
        return None
    return Question(str(qid), str(kind), text, bool(required), tuple(options), show_if)


def _show_if(
    raw: Any, where: str, earlier: Sequence[Question], problems: list[str]
) -> ShowIf | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.append(f'{where}: an object like {{"question": "nps", "max": 6}}')
        return None
    target = next((q for q in earlier if q.id == raw.get("question")), None)
    if target is None:
        problems.append(f"{where}.question: must name an earlier question")
        return None
    low, high, any_of = raw.get("min"), raw.get("max"), raw.get("any_of")
    if target.kind in ("single", "multiple"):
        ids = {o.id for o in target.options}
        if not isinstance(any_of, list) or not any_of or not set(any_of) <= ids:
            problems.append(f"{where}.any_of: a list of option ids of {target.id!r}: {sorted(ids)}")
            return None
        return ShowIf(target.id, any_of=tuple(str(v) for v in any_of))
    if target.kind == "text":
        problems.append(f"{where}.question: logic can follow a score or a choice, not a text")
        return None
    numbers = [v for v in (low, high) if v is not None]
    if not numbers or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in numbers
    ):
        problems.append(f"{where}: min and/or max as numbers on the scale of {target.id!r}")
        return None
    return ShowIf(target.id, min=low, max=high)


def _review_links(raw: Any, problems: list[str]) -> list[ReviewLink]:
    links: list[ReviewLink] = []
    if not isinstance(raw, list):
        problems.append("review_links: a list of {site, url}")
        return links
    for index, item in enumerate(raw):
        at = f"review_links[{index}]"
        site = item.get("site") if isinstance(item, Mapping) else None
        url = item.get("url") if isinstance(item, Mapping) else None
        if site not in REVIEW_SITES:
            problems.append(f"{at}.site: one of {', '.join(REVIEW_SITES)}")
        elif not isinstance(url, str) or not re.match(r"^https?://\S+$", url):
            problems.append(f"{at}.url: an http(s) address")
        else:
            links.append(ReviewLink(site, url))
    return links
