"""Evidence that a Latin-script text is Kazakh (the 2018/2021 alphabets, or the informal
transliterations people type: q for қ, j/zh for ж, sh, w/u for у…), and that a short
Cyrillic text without Kazakh letters is Kazakh rather than Russian."""

from __future__ import annotations

import re

# Letters of the official Latin Kazakh alphabets that English never uses.
_KAZAKH_LATIN_LETTERS = re.compile("[áǵńóúýışçäöüğñūòõŏģĝùÁǴŃÓÚÝİŞÇÄÖÜĞÑŪÒÕŎĢĜÙ]")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
# Frequent Kazakh words as people type them in Latin letters (several spellings each).
_KAZAKH_WORDS = frozenset(
    """
    jaqsy jaqsi jaksy jaksi zhaqsy zhaksy jaqsymyn jaqsimisin jaman zhaman
    ote öte kop köp kóp koop
    magan maǵan mağan sagan sizge bizge olar sen siz meni menin menıń
    unady unadi unamady unamadi unaidy unaidi unamaidy
    rahmet rakhmet raqmet raxmet rahmat
    keremet myqty mykty mıqty kushti kuwti kuwty kúshti
    kerek emes joq jok zhoq zhok jogy
    eken edi boldy boldi bolady boladi bolmaidy bolmaydi bolsa bolyp bolip bola bolama
    qalai qalay kalai kalay qandai qandaı kandai qashan kashan qaida kaida
    nege qansha kansha nemese
    tegin aqsha aksha aqshany akshany
    jauap zhauap jauab
    kelmedi keldi kelmeidi keledi jetpedi jetkizbedi zhetkizbedi
    durys durus duris qate
    dep deidi deydi deimin
    osy osi bul mynda munda sonda
    alga algha alğa jasasyn zhasasyn jasay jasai
    tusinbeimin tusindim tusinikti tusinbedim
    prilojeniye prilozheniye qosymsha kosymsha qoldanba koldanba
    salem salemetsiz salemetsizbe iya
    oiyn oiin oyin oiyny
    qazaqstan qazaq qazaqsha kazaksha
    dosym dostar bari bári
    tezirek uzaq
    bol bolsyn bolsin bopty bopti kusht kushty qushty jaraisyn jaraisin jaraisyn
    adem ademi ademy erkek qyzyq qiziq kyzyk kizik nemene joldas balapan
    """.split()
)
# Kazakh endings distinctive enough in Latin letters (negative past -mady/-medi, present
# negative -meidi, 1st person -ymyz/-mын, genitive -nyn/-nin, -dagy…) on a stem of three
# letters or more; English words rarely end so.
_KAZAKH_ENDING = re.compile(
    r"^[a-z]{3,}(?:mady|madi|medi|mapty|meidi|maidy|meydi|maydi|ymyz|imiz|ymyn|imin|ysyz"
    r"|isiz|dyq|nyn|nin|dyn|tyn|lardy|lerdi|dagy|degi|tagy|tegi|shy|dym|dim|ppyn|ppin)$"
)
# English words that end like Kazakh words or are short and frequent: never Kazakh evidence.
_ENGLISH_WORDS = frozenset(
    """
    the and is are was were be been to of in on at for with from by it its this that
    i you he she we they my your our their me him her us them not no yes do does did
    have has had can could will would should a an or but if so very good bad great
    thanks thank please app service delivery order flight airline customer time
    what when where why how who which get got just all any one out up about more
    lady tidy city study body party duty ready steady candy lucky sorry daddy
    under over after never ever river other water
    """.split()
)


def looks_latin_kazakh(text: str) -> bool:
    """True when a Latin-script text reads as Kazakh: its Kazakh evidence (Kazakh words,
    endings, a letter of the Kazakh Latin alphabets, half for a q not before u) is at least
    one and outweighs the English function words among its words."""
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return False
    english = sum(w in _ENGLISH_WORDS for w in words)
    kazakh = float(sum(w in _KAZAKH_WORDS for w in words))
    kazakh += sum(bool(_KAZAKH_ENDING.match(w)) for w in words if w not in _KAZAKH_WORDS)
    # q not before u is rare in English and common in typed Kazakh (қ).
    kazakh += 0.5 * sum(bool(_LONE_Q.search(w)) and w not in _KAZAKH_WORDS for w in words)
    if _KAZAKH_LATIN_LETTERS.search(text):
        kazakh += 1
    return kazakh >= 1 and kazakh > english


_LONE_Q = re.compile(r"q(?!u)")


# Kazakh words typed in Cyrillic without the Kazakh letters (жаксы for жақсы…).
_KAZAKH_PLAIN_CYRILLIC = frozenset(
    """
    рахмет жаксы жакси жаман керемет кушти мыкты жок емес кандай калай кашан кайда
    неге канша маган сизге бизге оте копп тегин жауап келмеди салем салеметсизбе
    жарайсын жарайсындар кутемин
    """.split()
)
_CYRILLIC_WORD = re.compile(r"[а-яё]+", re.IGNORECASE)


def short_cyrillic_is_kazakh(text: str) -> bool:
    """For a short Cyrillic text with no Kazakh letters: True only when one of its words is
    a Kazakh word typed without them (рахмет, жаксы…); otherwise it is Russian."""
    return any(w.lower() in _KAZAKH_PLAIN_CYRILLIC for w in _CYRILLIC_WORD.findall(text))
