"""The users' words for the guide's words: a mayor asks about « la campagne », the guide says
« rural »; an official asks whether the commune can « prendre des parts », the guide says
« entrer au capital ».

`cards/synonyms.yaml` maps each word or phrase of the guide to the words users say for it.
Questions only are rewritten (the index keeps the guide's own text): the guide's words are
appended to the retrieval query and replace the users' words among the focus terms, so that
the answerability signals look for the words the guide would use.

    synonyms = Synonyms.load(Path("cards"))
    synonyms.query("ça marche à la campagne ?")  -> "ça marche à la campagne ? rural"
    synonyms.focus(("campagn", "march"))         -> ("rural", "march")

`check(path, documents)` (run by `cards check`) fails on a guide word the guide does not use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import analyze, fold
from .analysis import words as split_words

FILE_NAME = "synonyms.yaml"


@dataclass(frozen=True)
class Synonyms:
    # (user phrase as stems, the guide's phrase, the guide phrase's stems), longest first
    entries: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = field(default=())
    words: frozenset[str] = frozenset()  # every word of the file, folded (users' and guide's)

    @classmethod
    def load(cls, folder: Path) -> Synonyms:
        return cls.from_mapping(read(folder / FILE_NAME))

    @classmethod
    def from_mapping(cls, mapping: dict[str, tuple[str, ...]]) -> Synonyms:
        entries = []
        for guide, said in mapping.items():
            guide_stems = tuple(analyze(guide))
            for words in said:
                stems = tuple(analyze(words))
                if stems and guide_stems:
                    entries.append((stems, guide, guide_stems))
        entries.sort(key=lambda e: -len(e[0]))
        said = " ".join([*mapping, *(w for ws in mapping.values() for w in ws)])
        return cls(tuple(entries), frozenset(fold(w) for w in split_words(said)))

    def found(self, stems: list[str] | tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
        """(user stems, guide phrase) for every user word or phrase among `stems`."""
        out = []
        for user, guide, _ in self.entries:
            n = len(user)
            if any(tuple(stems[i : i + n]) == user for i in range(len(stems) - n + 1)):
                out.append((user, guide))
        return out

    def query(self, text: str) -> str:
        """`text` with the guide's words for the users' words it holds appended."""
        added = [g for _, g in self.found(analyze(text)) if fold(g) not in fold(text)]
        return f"{text} {' '.join(dict.fromkeys(added))}" if added else text

    def focus(
        self, terms: tuple[str, ...], known: Callable[[str], bool] = lambda t: False
    ) -> tuple[str, ...]:
        """`terms` with each user word replaced by the stems of the guide's word for it (a
        user word the guide also uses, `known`, is kept beside them)."""
        if not self.entries:
            return terms
        out = list(terms)
        for user, _, guide_stems in self.entries:
            n = len(user)
            if any(tuple(terms[i : i + n]) == user for i in range(len(terms) - n + 1)):
                out = [t for t in out if t not in user or known(t)] + list(guide_stems)
        return tuple(dict.fromkeys(out))


def read(path: Path) -> dict[str, tuple[str, ...]]:
    """`guide word: [user words]` from `path` ({} when there is no file)."""
    from ..answer.cards import read_word_lists

    return read_word_lists(path, "doit associer un mot du guide à une liste de mots d'usagers")


def check(mapping: dict[str, tuple[str, ...]], guide_text: str) -> list[str]:
    """A problem line for each guide word the guide does not use (accents and case aside),
    each guide word with no content word in it (« né » is a stop word once analysed: the
    entry would never apply), and each user word with no content word in it."""
    text = fold(guide_text)
    out = []
    for guide, said in mapping.items():
        if fold(guide) not in text:
            out.append(f"{FILE_NAME}: « {guide} » n'est pas dans le guide")
        if not analyze(guide):
            out.append(f"{FILE_NAME}: « {guide} » n'a aucun mot porteur")
        for words in said:
            if not analyze(words):
                out.append(f"{FILE_NAME}: « {words} » (pour « {guide} ») n'a aucun mot porteur")
    return out
