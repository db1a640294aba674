"""Complaint and question flags beside sentiment, for ru, kk (Cyrillic and Latin) and en:
a question from its punctuation and question words; a complaint when the text is a negative
report of a problem rather than a question or a matter of taste."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from otklik.pipeline.sentiment_backends.base import Prediction

_QUESTION_START = re.compile(
    r"^\s*(?:(?:здравствуйте|добрый день|hi|hello|сәлеметсіз бе|salem)[,!.]?\s+)?"
    r"(?:how|what|when|where|which|who|why|can|could|do|does|is|are|will|would|should|any"
    r"|как|какой|какая|какие|когда|где|куда|почему|зачем|сколько|можно|есть ли|подскажите"
    r"|скажите|не подскажете|кто|чем|что|нужно ли|принимаете|доставляете"
    r"|қалай|қандай|қашан|қайда|неге|қанша|кім|please (?:tell|advise|let)"
    r"|qalai|qandai|qashan|qaida|nege|qansha)\b",
    re.IGNORECASE,
)
# Kazakh question particles: ма/ме/ба/бе/па/пе (and Latin ma/me/ba/be/pa/pe) as a word.
_KAZAKH_PARTICLE = re.compile(r"\b(?:ма|ме|ба|бе|па|пе|ma|me|ba|be|pa|pe)\b\s*[?.!]*\s*$", re.I)
_REQUEST = re.compile(
    r"\b(?:подскажите|уточните|айтыңызшы|айтып жіберіңізші|please tell|please advise"
    r"|let me know|i'd like to know|хотел бы уточнить|білгім келеді)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Flags:
    """Whether a text is a complaint and whether it asks a question."""

    is_complaint: bool
    is_question: bool


def is_question(text: str) -> bool:
    """True when the text asks for information: a question mark, a question word at its start,
    a Kazakh question particle at its end, or a polite request for information."""
    stripped = text.strip()
    if "?" in stripped:
        return True
    first_sentence = re.split(r"(?<=[.!])\s+", stripped)
    return any(
        bool(_QUESTION_START.search(s) or _KAZAKH_PARTICLE.search(s)) for s in first_sentence
    ) or bool(_REQUEST.search(stripped))


def flag_texts(texts: Sequence[str], predictions: Sequence[Prediction]) -> list[Flags]:
    """Complaint and question flags for texts whose sentiment is already predicted (any tier):
    a complaint is a text labelled negative (customer-service negatives are mostly reports of
    a problem); a question is what `is_question` says."""
    return [
        Flags(is_complaint=prediction.label == "negative", is_question=is_question(text))
        for text, prediction in zip(texts, predictions, strict=True)
    ]
