"""Text normalization and match keys.

Posts arrive in English, Dari and Pashto, in Latin and Arabic script, written on whatever keyboard was at
hand: Arabic yeh/kaf instead of Persian ones, Arabic-Indic digits, diacritics, tatweel, zero-width
non-joiners, hyphenated transliterations, hashtags.  Matching must see through all of that, yet the text
we quote back (excerpts, explanations) must stay exactly as written, so Pashto letters such as ښ ځ ګ ړ ۍ
survive everywhere except inside *match keys*.

Two keys exist per token:

* the **exact key**: Unicode compatibility folding, case folding, combining marks dropped, the ``persian``
  package's Arabic-to-Persian letter and digit folding, tatweel and in-word apostrophes dropped, and the
  keyword pack's own letter folds (orthographic variants writers interchange, e.g. Pashto ې and ی);
* the **skeleton**: an ASCII consonant skeleton built with ``anyascii``, so an Arabic-script spelling
  and a hyphenated Latin transliteration of a name share one.  Skeletons are lossy on purpose and short
  ones collide, so the gazetteer only ever uses them as a fallback under extra conditions (see
  ``lexicon``).

Tokens are the unit of matching: a key is computed once per distinct token and cached, which keeps the
hot path of the pipeline's filter stage at dictionary-lookup speed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import persian
from anyascii import anyascii

__all__ = ["Normalizer", "Token", "is_arabic_script", "normalize", "skeleton"]

# Letters and digits (\w without "_", so hashtags such as #Pul_e_Khumri split into words), combining marks
# (Latin accents, Arabic harakat, superscript alef, Quranic marks) that belong to the word they sit on,
# and apostrophes *inside* a word ("Ma'ruf", "X's").  ZWNJ is deliberately not a word character:
# in Persian it separates morphemes, so it behaves like a space and multi-word names also get a joined key.
_WORD_CHAR = (
    r"(?:[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed])"
)
_TOKEN_RE = re.compile(rf"{_WORD_CHAR}+(?:['\u2019\u02bc\u2018`]{_WORD_CHAR}+)*")
_WORD_RE = re.compile(r"[^\W_]+")
_POSSESSIVE_RE = re.compile(r"['\u2019\u02bc]s$", re.IGNORECASE)
_APOSTROPHES = "'\u2019\u02bc\u2018`"
_TATWEEL = "\u0640"

_CACHE_LIMIT = 200_000
_ARABIC_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")

# Skeleton building.  anyascii spells some Arabic letters with two ASCII letters (ش -> "sh", ث -> "th");
# each such spelling, and the matching Latin digraph, becomes one symbol so that a Latin "sh" and the
# Arabic letter agree while the accidental sequence د+ه ("dh") does not turn into ذ.
_ARABIC_DIGRAPHS = {
    "sh": "S",
    "ch": "C",
    "kh": "X",
    "gh": "G",
    "zh": "J",
    "th": "s",
    "dh": "z",
    "ts": "s",
    "dz": "z",
}
_LATIN_DIGRAPHS = (("sh", "S"), ("ch", "C"), ("kh", "X"), ("gh", "G"), ("zh", "J"), ("ph", "f"))
# Vowels and the semivowels w/y: Arabic script writes only long vowels, as و and ی, while transliterations
# write every vowel in several ways (ay/ai/ey for one sound), so none of them can be part of a skeleton.
_DROPPED = str.maketrans("", "", "aeiouyw")
_REPEATS = re.compile(r"(.)\1+")


def is_arabic_script(text: str) -> bool:
    """True when the first character of ``text`` is in an Arabic-script block (Dari, Pashto, Arabic)."""
    return _ARABIC_RE.match(text) is not None


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a post: where it is in the original text, and its exact key."""

    start: int
    end: int
    key: str
    arabic: bool
    capitalized: bool  # Latin word starting upper-case, or any hashtag: a hint that it is a proper name
    possessive: bool  # "X's": a qualifier of what follows, not a target


class Normalizer:
    """Builds exact keys and skeletons; ``folds`` are the keyword pack's extra letter folds.

    One instance is shared by the gazetteer, the keyword pack and the text being matched, so that all
    three agree on every key.
    """

    def __init__(self, folds: Mapping[str, str] | None = None) -> None:
        table: dict[int, str | None] = {ord(ch): None for ch in _APOSTROPHES + _TATWEEL}
        for source, target in (folds or {}).items():
            table[ord(source)] = target
        self._table = table
        self._keys: dict[str, str] = {}
        self._infos: dict[str, tuple[str, bool, bool]] = {}

    def key(self, word: str) -> str:
        """Exact match key of one word (or of a phrase: spaces are kept, runs of them collapsed)."""
        cached = self._keys.get(word)
        if cached is not None:
            return cached
        key = self._fold(word)
        if len(self._keys) > _CACHE_LIMIT:  # unbounded input must not grow the cache without bound
            self._keys.clear()
        self._keys[word] = key
        return key

    def _fold(self, word: str) -> str:
        text = self._fold_once(word)
        # A fold can expose characters that fold again (a compatibility form produced by casefold, a
        # pack fold whose target has marks); iterate to a fixed point so that key(key(x)) == key(x).
        for _ in range(3):
            again = self._fold_once(text)
            if again == text:
                break
            text = again
        return text

    def _fold_once(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text).casefold()
        text = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
        text = persian.convert_ar_characters(persian.remove_arabic_diacritics(text))
        text = persian.convert_fa_numbers(persian.convert_ar_numbers(text))
        text = unicodedata.normalize("NFC", text.translate(self._table))
        # Compatibility folding can turn one character into several words ("¼" -> "1⁄4"): keep the words.
        return " ".join(_WORD_RE.findall(text))

    def phrase_key(self, phrase: str) -> str:
        """Key of a multi-word phrase from a data file: its tokens' keys joined by single spaces."""
        return " ".join(token.key for token in self.tokenize(phrase))

    def _info(self, raw: str) -> tuple[str, bool, bool]:
        """(key, Arabic script?, possessive?) of one raw token, computed once per distinct token."""
        cached = self._infos.get(raw)
        if cached is None:
            possessive = raw[-1] in "sS" and _POSSESSIVE_RE.search(raw) is not None
            key = self.key(raw[:-2] if possessive else raw)
            cached = (key, is_arabic_script(key), possessive)
            if len(self._infos) > _CACHE_LIMIT:
                self._infos.clear()
            self._infos[raw] = cached
        return cached

    def keys(self, text: str) -> list[str]:
        """The keys of ``text``'s tokens, without building tokens: the fast path for the prefilter."""
        info = self._info
        return [key for key in (info(raw)[0] for raw in _TOKEN_RE.findall(text)) if key]

    def tokenize(self, text: str) -> list[Token]:
        """Split ``text`` into tokens with exact keys; offsets point into ``text`` unchanged."""
        tokens: list[Token] = []
        info = self._info
        for match in _TOKEN_RE.finditer(text):
            raw = match.group()
            key, arabic, possessive = info(raw)
            if not key:
                continue
            start = match.start()
            end = match.end() - 2 if possessive else match.end()
            capitalized = raw[0].isupper() or (start > 0 and text[start - 1] == "#")
            tokens.append(Token(start, end, key, arabic, capitalized, possessive))
        return tokens


_DEFAULT = Normalizer()


def normalize(text: str) -> str:
    """Whole-text match form without pack folds: the keys of its tokens joined by single spaces.

    Idempotent: ``normalize(normalize(t)) == normalize(t)``.
    """
    return " ".join(token.key for token in _DEFAULT.tokenize(text))


@lru_cache(maxsize=65536)
def skeleton(key: str) -> str:
    """Consonant skeleton of an exact key (a word or a phrase): vowels, w and y dropped, digraphs and their
    Arabic letters made one symbol, so "pol-e-bazar" and "pul i bazar" both give "plbzr".

    Word-final ه (a vowel carrier in Dari and Pashto) is dropped before transliterating, as is a final h
    after it, so a Latin "-a" ending and a final ه agree; repeated symbols collapse across word joins, so
    "…-us-s…", "…uss…" and an Arabic-article spelling agree.
    """
    parts: list[str] = []
    for word in key.split():
        if is_arabic_script(word):
            if len(word) > 2 and word[-1] in "هةە":
                word = word[:-1]
            ascii_word = "".join(
                _ARABIC_DIGRAPHS.get(sym, sym) for sym in (anyascii(ch).lower() for ch in word)
            )
        else:
            ascii_word = anyascii(word).lower()
            for digraph, symbol in _LATIN_DIGRAPHS:
                ascii_word = ascii_word.replace(digraph, symbol)
        ascii_word = re.sub(r"[^a-zA-Z]", "", ascii_word).replace("q", "k").translate(_DROPPED)
        if len(ascii_word) > 1 and ascii_word.endswith("h"):
            ascii_word = ascii_word[:-1]
        parts.append(ascii_word)
    return _REPEATS.sub(r"\1", "".join(parts))
