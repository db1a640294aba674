"""A respondent's answers checked against the survey: per-question problems, the questions
the logic shows, and what the answers mean (the mention's text, rating, follow-up)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from otklik.surveys.document import MAX_TEXT, Question, Survey, text_in

# What each problem says in the API (the web form shows a translated message per code).
PROBLEMS = {
    "required": "an answer is required",
    "number": "a whole number is needed",
    "range": "the answer must be from {low} to {high}",
    "option": "not one of the options",
    "one": "choose one option",
    "too_long": "the text is longer than {limit} characters",
    "unknown": "no such question in this survey",
}


@dataclass(frozen=True)
class Problem:
    """What is wrong with the answer to one question."""

    question: str
    code: str
    message: str


@dataclass
class Checked:
    """Clean answers (only shown questions, typed) and the problems found."""

    answers: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        """No problems."""
        return not self.problems


def visible(survey: Survey, answers: Mapping[str, Any]) -> list[Question]:
    """The questions shown for these answers (a question whose condition fails is skipped)."""
    return [q for q in survey.questions if q.show_if is None or q.show_if.holds(answers)]


def check(survey: Survey, given: Mapping[str, Any], *, strict: bool = False) -> Checked:
    """Type and check every shown question's answer; `strict` refuses unknown question ids."""
    result = Checked()
    if strict:
        for key in given:
            if survey.question(key) is None:
                result.problems.append(_problem(key, "unknown"))
    typed: dict[str, Any] = {}
    for question in survey.questions:
        value, problem = _typed(question, given.get(question.id))
        if problem is None and value is not None:
            typed[question.id] = value
        elif problem is not None:
            typed[question.id] = None
            result.problems.append(problem)
    shown = {q.id for q in visible(survey, typed)}
    result.problems = [p for p in result.problems if p.question in shown or p.code == "unknown"]
    for question in survey.questions:
        if question.id not in shown:
            continue
        value = typed.get(question.id)
        if value is None or value == [] or value == "":
            if question.required and not any(p.question == question.id for p in result.problems):
                result.problems.append(_problem(question.id, "required"))
            continue
        result.answers[question.id] = value
    if not result.answers and not result.problems:  # nothing at all: ask for the first one
        result.problems.append(_problem(survey.questions[0].id, "required"))
    return result


def _problem(question: str, code: str, **values: Any) -> Problem:
    return Problem(question, code, PROBLEMS[code].format(**values))


def _typed(question: Question, value: Any) -> tuple[Any, Problem | None]:
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        return None, None
    scale = question.scale
    if scale is not None:
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                return None, _problem(question.id, "number")
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, _problem(question.id, "number")
        if isinstance(value, float) and not value.is_integer():
            return None, _problem(question.id, "number")
        if not scale[0] <= value <= scale[1]:
            return None, _problem(question.id, "range", low=scale[0], high=scale[1])
        return int(value), None
    ids = {o.id for o in question.options}
    if question.kind == "single":
        if isinstance(value, list):
            if len(value) != 1:
                return None, _problem(question.id, "one")
            value = value[0]
        if str(value) not in ids:
            return None, _problem(question.id, "option")
        return str(value), None
    if question.kind == "multiple":
        chosen = value if isinstance(value, list) else [value]
        if any(str(v) not in ids for v in chosen):
            return None, _problem(question.id, "option")
        return [o.id for o in question.options if o.id in {str(v) for v in chosen}], None
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_TEXT:
        return None, _problem(question.id, "too_long", limit=MAX_TEXT)
    return text.strip(), None


def scores(survey: Survey, answers: Mapping[str, Any]) -> dict[str, int | None]:
    """The first NPS, CSAT and CES answers (what reports count)."""
    out: dict[str, int | None] = {}
    for kind in ("nps", "csat", "ces"):
        question = survey.first_of(kind)
        value = answers.get(question.id) if question is not None else None
        out[kind] = int(value) if isinstance(value, int) else None
    return out


def open_text(survey: Survey, answers: Mapping[str, Any]) -> str:
    """The open answers joined: what language, sentiment, brands and tags are read from."""
    return "\n".join(
        str(answers[q.id]) for q in survey.questions if q.kind == "text" and answers.get(q.id)
    )


def mention_text(survey: Survey, answers: Mapping[str, Any], language: str) -> str:
    """The mention's text: the open answers, else each answer on a line of its own."""
    found = open_text(survey, answers)
    if found:
        return found
    lines = []
    for question in survey.questions:
        if question.id not in answers:
            continue
        value = answers[question.id]
        if question.options:
            chosen = value if isinstance(value, list) else [value]
            names = {o.id: text_in(o.text, language, survey.languages) for o in question.options}
            value = ", ".join(names.get(str(v), str(v)) for v in chosen)
        elif question.scale is not None:
            value = f"{value}/{question.scale[1]}"
        lines.append(f"{text_in(question.text, language, survey.languages)} — {value}")
    return "\n".join(lines)


def rating(survey: Survey, answers: Mapping[str, Any]) -> float | None:
    """A 1–5 rating the answers imply (sentiment takes a rating as evidence): CSAT or stars
    as they are, NPS 0–10 mapped linearly onto 1–5."""
    for question in survey.questions:
        value = answers.get(question.id)
        if not isinstance(value, int):
            continue
        if question.kind in ("csat", "rating"):
            return float(value)
        if question.kind == "nps":
            return round(1 + value * 0.4, 2)
    return None


def is_promoter(survey: Survey, answers: Mapping[str, Any]) -> bool:
    """An NPS answer of 9 or 10."""
    nps = scores(survey, answers)["nps"]
    return nps is not None and nps >= 9


def needs_follow_up(survey: Survey, answers: Mapping[str, Any], sentiment: str | None) -> bool:
    """A detractor (NPS 0–6), a CSAT of 1–2, or a negative open answer: a case is opened."""
    found = scores(survey, answers)
    if found["nps"] is not None and found["nps"] <= 6:
        return True
    if found["csat"] is not None and found["csat"] <= 2:
        return True
    return bool(open_text(survey, answers)) and sentiment == "negative"
