"""Turn free text into comparable stems: script-based language detection, tokens, Snowball stems.

People type mixed case, no punctuation, "u" for "you", "ё" or "е", Latin terms inside Russian
sentences ("есть ли DPO"). Each token is stemmed by the stemmer of its own script, so one index
serves both languages and an English term in a Russian question still matches.
Stop words are grammar, not topic knowledge, which is why they live here and synonyms live in the data.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

_TOKEN = re.compile(r"[a-zа-я0-9]+(?:[-.@/][a-zа-я0-9]+)*", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_JOINERS = re.compile(r"[-.@/]")

_STEMMERS = {
    "en": snowballstemmer.stemmer("english"),
    "ru": snowballstemmer.stemmer("russian"),
}

#: Informal spellings mapped to the word they stand for (before stemming).
_INFORMAL = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "wat": "what",
    "whats": "what",
    "whos": "who",
    "hows": "how",
    "wheres": "where",
    "whens": "when",
    "dont": "not",
    "don't": "not",
    "doesnt": "not",
    "isnt": "not",
    "cant": "cannot",
    "wont": "not",
    "havent": "not",
    "arent": "not",
    "im": "i",
    "ive": "i",
    "e-mail": "email",
    "емейл": "email",
    "имейл": "email",
    "скока": "сколько",
    "скоко": "сколько",
    "щас": "сейчас",
}

STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """a an the i me my mine myself we us our ours you your yours he she it its they them their
        is are was were be been being am do does did doing have has had having will would shall should
        can could may might must to of in on at by for with about from into as and or but if so than
        that this these those there here what which who whom whose when where why how all any some
        just also too very really please hi hello hey thanks thank ok okay yes pls u get got go going
        want like know tell im ive id ill does did something anything thing things one way well
        question ask asking wondering guys lot still much many""".split()
    ),
    "ru": frozenset(
        """и в во на с со к ко у о об обо от до по за из при для про под над без а но или ли же бы
        что чтобы это этот эта эти то та те тот так как где когда кто чей какой какая какие каков
        я меня мне мной мой моя мое моё мои моих моим моими ты тебя тебе твой вы вас вам вами ваш
        ваша ваше ваши вашим ваших он она оно они его ее её их им ему ей мы нас нам наш наша наши
        есть быть был была было были будет будут буду будете является ли уже еще ещё вот вообще
        пожалуйста привет здравствуйте спасибо да ну просто очень можно нужно надо хочу хотел
        хотела хотим вопрос подскажите скажите а если также тоже весь вся все всё всех могу может можете
        могут мочь сделать делать делаете делает сделаете""".split()
    ),
}

#: Negations are kept even though they are short: "do not sell" differs from "do you sell".
NEGATIONS = frozenset({"not", "no", "never", "не", "нет", "ни"})


def script_lang(text: str) -> str:
    """'ru' when the text has more Cyrillic letters than Latin ones, else 'en'."""
    return "ru" if len(_CYRILLIC.findall(text)) > len(_LATIN.findall(text)) else "en"


def token_lang(token: str) -> str:
    return "ru" if _CYRILLIC.search(token) else "en"


def words(text: str) -> list[str]:
    """Lower-cased word tokens with ё folded to е and informal spellings expanded."""
    text = text.lower().replace("ё", "е").replace("’", "'")
    text = re.sub(r"n't\b", " not", text)
    out: list[str] = []
    for token in _TOKEN.findall(text):
        token = _INFORMAL.get(token, token)
        if token.isalnum():
            out.extend(token.split() if " " in token else (token,))
            continue
        token = token.strip(".-/")
        parts = [p for p in _JOINERS.split(token) if p]
        if len(parts) > 1 and any(c in token for c in ".@/") and not token.replace(".", "").isdigit():
            out.append(token)  # an address or a name like lava.top: whole, then its parts
        out.extend(p for part in parts for p in _INFORMAL.get(part, part).split())
    return _drop_aspect(out)


#: "keeps failing", "kept crashing": "keep" before an "-ing" word says "again and again", not "retain".
_ASPECT = frozenset({"keep", "keeps", "kept", "keeping"})


def _drop_aspect(tokens: list[str]) -> list[str]:
    return [
        t for i, t in enumerate(tokens)
        if not (t in _ASPECT and i + 1 < len(tokens) and tokens[i + 1].endswith("ing") and len(tokens[i + 1]) > 5)
    ]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of one lower-case word, with the stemmer of its script."""
    if not word.isalpha():
        return word
    lang = token_lang(word)
    if lang == "ru" and word.endswith("ьте") and len(word) > 5:
        word = word[:-3] + "ить"  # imperative "исправьте": Snowball leaves the ending, so "исправить" would differ
    return _STEMMERS[lang].stemWord(word)


_ALL_STOPWORDS = frozenset().union(*STOPWORDS.values()) - NEGATIONS  # the scripts do not overlap


def is_stopword(word: str) -> bool:
    return word in _ALL_STOPWORDS


_SENTENCE_END = re.compile(r"([?!;\n]+|\.(?:\s|$))")
_CLAUSE_END = re.compile(r",(?:\s|$)")


def sentences(text: str) -> list[str]:
    """The text cut at sentence and clause ends (not at the dots of an address or a number)."""
    return [part for part, _ in split_sentences(text)]


def split_sentences(text: str) -> list[tuple[str, bool]]:
    """Each clause with whether its sentence ends with a question mark.

    "i haven't used my cloned voice in ages, will it be deleted?" is one question in two clauses.
    """
    pieces = _SENTENCE_END.split(text)
    out = []
    for i in range(0, len(pieces), 2):
        end = pieces[i + 1] if i + 1 < len(pieces) else ""
        for clause in _CLAUSE_END.split(pieces[i]):
            if clause.strip():
                out.append((clause, "?" in end))
    return out


def stems(text: str) -> list[str]:
    """Every token's stem, stop words included (phrases need them)."""
    return [stem(w) for w in words(text)]


def content_stems(text: str) -> list[str]:
    """Stems of the tokens that carry meaning (no stop words), in order."""
    return [stem(w) for w in words(text) if not is_stopword(w)]


#: Stems of stop words: never "corrected" into a topic word by the typo fixer.
STOP_STEMS = frozenset(stem(w) for words in STOPWORDS.values() for w in words) | frozenset(
    stem(w) for w in NEGATIONS
)
