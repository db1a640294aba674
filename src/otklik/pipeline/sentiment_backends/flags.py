"""Complaint and question flags beside sentiment, for ru, kk (Cyrillic and Latin) and en:
a question from its punctuation and question words; a complaint when the text reports a
problem (a negative label, or a problem stated as a fact: late, missing, broken, charged
twice, no answer, refund not received, hung up…) that is not reported as resolved."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from otklik.pipeline.sentiment_backends.base import LABELS, Prediction
from otklik.text.kazakh_latin import looks_latin_kazakh

# Question words, ru/en opening a sentence; Kazakh puts its question words anywhere in one.
_GREETING = r"^\s*(?:(?:здравствуйте|добрый день|hi|hello|сәлеметсіз бе|salem)[,!.]?\s+)?"
_INFO_OPENERS = (
    r"how|what|when|where|which|can|could|do|does|is|are|will|would|should|any"
    r"|как|какой|какая|какие|каким|когда|где|куда|сколько|можно|есть ли|подскажите"
    r"|скажите|не подскажете|нужно ли|принимаете|доставляете|please (?:tell|advise|let)"
)
_KAZAKH_OPENERS = r"қалай|қандай|қашан|қайда|қанша|qalai|qandai|qashan|qaida|qansha"
# "қай" (which) and "неше" (how many) only for information questions: opening a sentence they
# also start exclamations ("Неше рет өшірдім", "how many times I restarted it").
_KAZAKH_INFO_WORDS = _KAZAKH_OPENERS + r"|қай|неше\w*|neshe\w*"
# Why and who often carry a complaint ("why is my parcel late again?").
_WHY_WHO = r"who|why|почему|зачем|кто|чем|что|неге|кім|nege"
# matched against lowercased text: a case-insensitive search is several times slower
_QUESTION_START = re.compile(_GREETING + f"(?:{_INFO_OPENERS}|{_KAZAKH_OPENERS}|{_WHY_WHO})\\b")
# An information question ("what documents do I need?", "қашан жеткізесіздер?") rather than a
# rhetorical one.
_INFO_START = re.compile(_GREETING + f"(?:{_INFO_OPENERS})\\b|\\b(?:{_KAZAKH_INFO_WORDS})\\b")
# Kazakh question particles: ма/ме/ба/бе/па/пе (and Latin ma/me/ba/be/pa/pe) as a word.
_KAZAKH_PARTICLE = re.compile(r"\b(?:ма|ме|ба|бе|па|пе|ma|me|ba|be|pa|pe)\b\s*[?.!]*\s*$")
_REQUEST = re.compile(
    r"\b(?:подскажите|уточните|айтыңызшы|айтып жіберіңізші|please tell|please advise"
    r"|let me know|i'd like to know|хотел бы уточнить|білгім келеді)\b",
    # matched against lowercased text: a case-insensitive search is several times slower
)

# A problem stated as a fact, with or without a sentiment word. Stems, so that word forms
# match; written from the kinds of service failure (delivery, goods, billing, support,
# refunds, accounts), not from any evaluation text.
_PROBLEM = re.compile(
    "|".join(
        [
            # Russian
            r"опозда\w*|задерж\w*|просроч\w*|до сих пор|всё ещё|все еще|так и не",
            r"не (?:пришл|пришё|прише|приш|доставил|доставлен|привез|привёз|получил|вернул"
            r"|вернули|отвеча|ответил|работает|работают|могу|смог|перезвонил|списал|пришел)\w*",
            r"нет ответа|никто не|ни ответа|без ответа|игнорир\w*|бросил\w* трубку",
            r"сломан\w*|слома\w*|разбит\w*|поврежд\w*|брак\w*|вскрыт\w*|порван\w*|протек\w*",
            r"не хватает|недоста\w*|потерял\w*|пропал\w*|перепутал\w*|не т(?:от|у|от же) "
            r"|половин\w* (?:нет|не хватает|не было)|нет половин\w*",
            r"\bдважды\b|\bдва раза\b|списал\w* лишн\w*|двойн\w* (?:списани|оплат)\w*",
            r"сняли деньги|снял\w* деньги|списани\w* без|без моего согласия|автопродл\w*",
            r"возврат\w* (?:не|нет|так и)|деньги не верн\w*|не вернул\w* деньги",
            r"жду уже|ждём уже|ждем уже|уже (?:неделю|месяц|две недели|\d+ дн)\w*",
            r"обманул\w*|обман\w*|ошибк\w* при оплат\w*|заблокирова\w*",
            # English
            r"\blate\b|\bdelay(?:ed|s)?\b|overdue|still (?:waiting|not|no|hasn't|haven't)",
            r"never (?:arrived|came|received|got|answered|replied|showed)",
            r"(?:has|have|had|did)(?:n't| not) (?:arrive|come|receive|get|answer|reply|respond"
            r"|work|been (?:refunded|delivered|fixed|answered))\w*",
            r"\bno (?:answer|reply|response|one (?:answers|replies|picks))\b|nobody (?:answers"
            r"|replies|responds|picked)|not (?:responding|answering|working)",
            r"(?:doesn't|does not|won't|can't|cannot|couldn't) (?:work|log|sign|open|load"
            r"|connect|pay|charge|turn)\w*",
            r"hung up|\bmissing\b|\bbroken\b|\bdamaged\b|\bcracked\b|\btorn\b|\bleak\w*",
            r"wrong (?:item|size|order|colou?r|address|product|amount)|\blost\b",
            r"charged (?:twice|double|two times|again|me|without)|double[- ]charged"
            r"|overcharged|auto[- ]?renew\w*|renewed without",
            r"refund (?:has not|hasn't|not|never|still|is still)\w*|no refund|without (?:a )?refund"
            r"|\bcancel+ed my\b|\bopened\b (?:parcel|package|box)|(?:parcel|package|box)"
            r" (?:was |came |arrived )?opened",
            # Kazakh, Cyrillic
            r"кешік\w*|кешіг\w*|әлі (?:де )?(?:келмеді|жоқ|жауап|қайтар|күт)\w*|әлі күнге",
            r"келмеді|келген жоқ|жетпеді|жеткізбеді|жеткізілмеді|алмадым|ала алмай\w*",
            r"жауап (?:жоқ|бермей\w*|берген жоқ|бермеді|келмеді)|ешкім (?:жауап|көтер)\w*",
            r"сынық|сынған|сынып|бұзыл\w*|жыртыл\w*|ашылған|ашылып|ашық келді|зақым\w*|ақау\w*",
            r"жетіспей\w*|жоғал\w*|басқа тауар|қате тауар|шатастыр\w*"
            r"|жартысы (?:жоқ|келмеді|жетпей\w*)",
            r"екі рет (?:ақша )?(?:алын|шеші|түс|ал)\w*|екі рет төле\w*|артық (?:ақша|төле)\w*",
            r"(?:ақша\w*|ақшам) (?:қайтарылмады|қайтпады|қайтармады|әлі)\w*|қайтарылмады"
            r"|қайтармады|қайтпады",
            r"(?:тұтқаны|трубканы|телефонды) (?:қойып|тастап|тастады|қойды)\w*"
            r"|жұмыс істемей\w*|кіре алмай\w*|ашылмай\w*|төлей алмай\w*|бұғатта\w*",
            r"күтіп (?:жүрмін|отырмын|жатырмын)|күткеніме|апта болды|ай болды",
            # Kazakh, Latin
            r"keshik\w*|keshig\w*|kelmedi|kelgen joq|jetpedi|zhetpedi|zhetkizbedi|jetkizbedi",
            r"(?:jauap|zhauap|zhauap) (?:joq|zhoq|bermei\w*|bermedi)|eshkim (?:jauap|zhauap)",
            r"synyq|syngan|synyp|buzyl\w*|zhyrtyl\w*|jyrtyl\w*|ashylgan|zhogal\w*|jogal\w*",
            r"eki ret|qaitarylmady|qaitarmady|qaitpady|jumys istemei\w*|zhumys istemei\w*"
            r"|kire almai\w*|kutip (?:jurmin|zhurmin|otyrmyn)",
        ]
    ),
    # matched against lowercased text: a case-insensitive search is several times slower
)
# The problem is reported as resolved: not a complaint any more.
_RESOLVED = re.compile(
    "|".join(
        [
            r"решил\w*|решён|решен\w*|исправил\w*|вернули (?:деньги|всё|все|полностью)"
            r"|деньги верн\w*|возврат пришёл|возврат пришел|вопрос закрыт|разобрались",
            r"\bresolved\b|\bsorted\b|\bfixed\b|refund (?:came|arrived|was issued|went)"
            r"|got (?:my|the) refund|refunded (?:me|in full|quickly|the next)|all good now",
            r"шешілді|шешті|шешіп берді|қайтарылды|қайтарып берді|ақшам қайтты|түзетті",
            r"sheshildi|sheshti|qaitaryldy|qaitaryp berdi",
        ]
    ),
    # matched against lowercased text: a case-insensitive search is several times slower
)
# Praise beside a stated problem: a past hiccup inside a happy message, not a complaint.
_PRAISE = re.compile(
    r"спасибо|благодар\w*|отлично|молодц\w*|супер|рекомендую|доволь\w*|рахмет|рақмет"
    r"|алғыс\w*|керемет|ризамын|rahmet|raqmet|keremet|thank\w*|great|excellent|awesome"
    r"|love\b|amazing|recommend\w*|happy with",
    # matched against lowercased text: a case-insensitive search is several times slower
)
# Still something wrong after the resolution ("refunded, but only half").
_BUT_STILL = re.compile(r"\b(?:но|бірақ|but|however|алайда|однако|тек|only|только)\b")


@dataclass(frozen=True, slots=True)
class Flags:
    """Whether a text is a complaint and whether it asks a question."""

    is_complaint: bool
    is_question: bool


def is_question(text: str) -> bool:
    """True when the text asks for information: a question mark, a question word at its start,
    a Kazakh question particle at its end, or a polite request for information."""
    stripped = text.strip().lower()
    if "?" in stripped:
        return True
    sentences = re.split(r"(?<=[.!])\s+", stripped)
    return any(
        bool(_QUESTION_START.search(s) or _kazakh_particle_ends(s)) for s in sentences
    ) or bool(_REQUEST.search(stripped))


def _kazakh_particle_ends(sentence: str) -> bool:
    # Latin me/be/pe end English sentences too ("hung up on me"): they count only in a
    # sentence that reads as Latin-script Kazakh.
    found = _KAZAKH_PARTICLE.search(sentence)
    if found is None:
        return False
    particle = found.group(0).strip(" ?.!").lower()
    return particle in ("ma", "ba", "pa") or not particle.isascii() or looks_latin_kazakh(sentence)


@lru_cache(maxsize=16_384)
def asks_for_information(text: str) -> bool:
    """True when the text asks for information (a question word opening a sentence, not
    why/who; a Kazakh question word anywhere; a Kazakh question particle at the end) and does
    not exclaim."""
    low = text.strip().lower()
    if "!" in low:
        return False
    sentences = re.split(r"(?<=[.!?])\s+", low)
    return any(bool(_INFO_START.search(s) or _kazakh_particle_ends(s)) for s in sentences)


@lru_cache(maxsize=16_384)  # the sentiment and flags stages ask about the same texts
def states_problem(text: str) -> bool:
    """True when the text states a service problem as a fact (late, missing, broken…)."""
    return bool(_PROBLEM.search(text.lower()))


@lru_cache(maxsize=16_384)
def is_resolved(text: str) -> bool:
    """True when the text reports its problem as resolved, with no "but" after it."""
    low = text.lower()
    found = _RESOLVED.search(low)
    return found is not None and not _BUT_STILL.search(low, found.end())


@lru_cache(maxsize=16_384)
def has_praise(text: str) -> bool:
    """True when the text praises (thanks, great, рахмет…)."""
    return bool(_PRAISE.search(text.lower()))


def is_complaint(text: str, sentiment: str | None) -> bool:
    """A complaint: a problem not reported as resolved, labelled negative or stated as a fact
    (a fact labelled positive counts only without praise beside it: a past hiccup inside a
    happy message is not a complaint, a misread fact is)."""
    if not text.strip() or is_resolved(text):
        return False
    if sentiment == "negative":
        return True
    if not states_problem(text):
        return False
    return sentiment != "positive" or not has_praise(text)


def flag_texts(texts: Sequence[str], sentiments: Sequence[str | None]) -> list[Flags]:
    """Complaint and question flags for texts whose sentiment label (any tier) is known."""
    return [
        Flags(is_complaint=is_complaint(text, label), is_question=is_question(text))
        for text, label in zip(texts, sentiments, strict=True)
    ]


# How likely a text reads negative, neutral, positive given service evidence in it
# (P(evidence | label), set by hand as the rating's likelihoods are, never fitted to a test).
PROBLEM_LIKELIHOOD = (1.0, 0.25, 0.1)  # a problem stated as a fact, not resolved, no praise
RESOLVED_LIKELIHOOD = (0.2, 0.4, 1.0)  # the problem was resolved
# An information question with no problem and no praise in it. The four permitted dev splits
# could not tell 0.6, 0.4 and 0.25 apart (mean within 0.002; 0.1 cost 0.004), so the strongest
# of those was taken, as the issue requires questions neutral; the CS set was not used.
QUESTION_LIKELIHOOD = (0.25, 1.0, 0.25)


def with_service_evidence(prediction: Prediction, text: str) -> Prediction:
    """The prediction with service evidence weighed in: a problem stated as a fact (late,
    missing, charged twice…) leans negative, a problem reported resolved leans positive, and
    a plain information question ("what documents do I need?") leans neutral."""
    if is_resolved(text):
        likelihood = RESOLVED_LIKELIHOOD
    elif states_problem(text) and not has_praise(text):
        likelihood = PROBLEM_LIKELIHOOD
    elif asks_for_information(text) and not has_praise(text):
        likelihood = QUESTION_LIKELIHOOD
    else:
        return prediction
    fused = [
        prediction.probabilities[label] * w for label, w in zip(LABELS, likelihood, strict=True)
    ]
    total = sum(fused) or 1.0
    return Prediction.of([p / total for p in fused], prediction.embedding)
