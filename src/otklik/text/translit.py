"""Latin/Cyrillic transliteration to a shared skeleton, and one-letter typo distance."""

from __future__ import annotations

import re

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "io", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu",
    "я": "ia", "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u",
    "һ": "h", "і": "i",
}  # fmt: skip

_CYRILLIC_TABLE = str.maketrans(_CYRILLIC)

# Latin spellings rewritten towards how the Cyrillic side spells the sound; order matters.
_LATIN_RULES: tuple[tuple[str, str], ...] = (
    ("sch", "sh"),
    ("tch", "ch"),
    ("ck", "k"),
    ("ph", "f"),
    ("th", "t"),
    ("kh", "h"),
    ("ee", "i"),
    ("oo", "u"),
    ("ou", "u"),
    ("x", "ks"),
    ("q", "k"),
    ("w", "v"),
    ("y", "i"),
    ("j", "zh"),
)
_SOFT_C = re.compile(r"c(?=[eiy])")
_DOUBLE_CONSONANT = re.compile(r"([bcdfghjklmnpqrstvwxz])\1+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")


def is_latin(word: str) -> bool:
    """True when the word is written in Latin letters (and digits) only."""
    return _LATIN_WORD.fullmatch(word.lower()) is not None


def skeletons(word: str) -> frozenset[str]:
    """Skeletons of every reading of a Latin `c` (CDEK ~ СДЭК, Colgate ~ Колгейт)."""
    main = skeleton(word)
    lower = word.lower()
    if "c" not in lower or not is_latin(lower):
        return frozenset({main})
    return frozenset({main, skeleton(lower.replace("c", "s")), skeleton(lower.replace("c", "k"))})


def skeleton(word: str) -> str:
    """A script-neutral spelling: Boxberry and Боксберри share `boksberi`, Каспи is `kaspi`."""
    lower = word.lower()
    if is_latin(lower):
        out = _SOFT_C.sub("s", lower)
        for old, new in _LATIN_RULES:
            out = out.replace(old, new)
        out = out.replace("c", "k")
    else:
        out = lower.translate(_CYRILLIC_TABLE)
    # Keep doubled vowels: Каспий (kaspii) must stay apart from Kaspi (kaspi).
    return _DOUBLE_CONSONANT.sub(r"\1", out)


_LATIN_TO_CYRILLIC: tuple[tuple[str, str], ...] = (
    ("sch", "щ"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"),
    ("ya", "я"), ("yu", "ю"), ("ph", "ф"), ("th", "т"), ("ck", "к"),
    ("ee", "и"), ("oo", "у"), ("x", "кс"), ("a", "а"), ("b", "б"), ("c", "к"), ("d", "д"),
    ("e", "е"), ("f", "ф"), ("g", "г"), ("h", "х"), ("i", "и"), ("j", "дж"), ("k", "к"),
    ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("q", "к"), ("r", "р"),
    ("s", "с"), ("t", "т"), ("u", "у"), ("v", "в"), ("w", "в"), ("y", "и"), ("z", "з"),
)  # fmt: skip


def to_cyrillic(word: str) -> str:
    """A readable Cyrillic spelling of a Latin word (Boxberry -> боксберри)."""
    lower = word.lower()
    out: list[str] = []
    i = 0
    while i < len(lower):
        for latin, cyr in _LATIN_TO_CYRILLIC:
            if lower.startswith(latin, i):
                out.append(cyr)
                i += len(latin)
                break
        else:
            out.append(lower[i])
            i += 1
    return "".join(out)


def to_latin(word: str) -> str:
    """A readable Latin spelling of a Cyrillic word (Озон -> ozon)."""
    return word.lower().translate(_CYRILLIC_TABLE)


def deletes(word: str) -> frozenset[str]:
    """Every string one deletion away from `word`, used to find one-letter typos fast."""
    return frozenset(word[:i] + word[i + 1 :] for i in range(len(word)))


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    return a[i:] == b[i + 1 :]
