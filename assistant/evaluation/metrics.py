"""Scoring functions: pure, on plain values (booleans, strings, numbers), no I/O.

Rankings are lists of booleans (is the passage at rank r relevant?) or of sets (which
evidence strings does it cover?). A metric that is undefined for its input (a precision
with nothing predicted) returns None, shown as "n/a" in reports, rather than a made-up 0 or 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence

from ..citations import CITATION, extract_citations
from ..text import dangling, plain, sentences

# ---------------------------------------------------------------- ranking


def hit_at_k(relevant: Sequence[bool], k: int) -> float:
    """1.0 when a relevant passage is among the first k, else 0.0."""
    return 1.0 if any(relevant[:k]) else 0.0


def reciprocal_rank(relevant: Sequence[bool], k: int = 10) -> float:
    """1 / rank of the first relevant passage within the first k (0.0 when none)."""
    for rank, rel in enumerate(relevant[:k], 1):
        if rel:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(relevant: Sequence[bool], k: int, n_relevant: int) -> float:
    """nDCG@k with binary gains. `n_relevant` is how many relevant passages the whole
    collection holds (the ideal ranking puts min(n_relevant, k) of them first)."""
    dcg = sum(1.0 / math.log2(rank + 1) for rank, rel in enumerate(relevant[:k], 1) if rel)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(n_relevant, k) + 1))
    return dcg / ideal if ideal else 0.0


def recall_at_k(covers: Sequence[Collection[int]], n_evidence: int, k: int) -> float:
    """Share of a question's evidence strings covered by at least one of the first k
    passages; `covers[r]` holds the indices of the evidence strings passage r overlaps."""
    if n_evidence <= 0:
        raise ValueError("recall needs at least one evidence string")
    seen: set[int] = set()
    for c in covers[:k]:
        seen.update(c)
    return len(seen & set(range(n_evidence))) / n_evidence


# ---------------------------------------------------------------- text normalisation

_WORD = re.compile(r"\w+")
_HAS_CONTENT = re.compile(r"\w")


def strip_citations(text: str) -> str:
    return plain(CITATION.sub("", text))


def content_words(text: str) -> list[str]:
    """Lowercased words longer than 3 characters, accents kept."""
    return [w for w in _WORD.findall(text.lower()) if len(w) > 3]


# ---------------------------------------------------------------- facts


# A space inside a number or before its unit is typography, not a different fact:
# « 60 % » is « 60% », « 15 000 € » is « 15000€ ».
_NUMBER_SPACE = re.compile(r"(?<=\d)\s+(?=\d{3}\b|[%€])")


def _fact_form(text: str) -> str:
    return _NUMBER_SPACE.sub("", plain(text)).casefold()


def fact_matched(answer: str, alternatives: Iterable[str]) -> bool:
    """Any alternative is a case-insensitive substring of the answer (both normalised, and
    the spaces inside numbers and before « % » or « € » ignored)."""
    text = _fact_form(answer)
    return any(_fact_form(a) in text for a in alternatives)


def fact_recall(answer: str, facts: Sequence[Sequence[str]]) -> float:
    """Share of the fact groups the answer matches."""
    if not facts:
        raise ValueError("fact recall needs at least one fact")
    return sum(fact_matched(answer, group) for group in facts) / len(facts)


# ---------------------------------------------------------------- what the user sees first

LEAD_CHARS = 450  # "the first lines": what a user reads before deciding the answer is useful
LONG_CHARS = 900  # longer than this, an answer is a page to read, not an answer


def lead_fact_recall(answer: str, facts: Sequence[Sequence[str]], lead: int = LEAD_CHARS) -> float:
    """Fact recall on the first `lead` characters of the answer as shown: `[n]` markers and
    Markdown count as characters (the user sees them), and a fact cut by the limit is missed."""
    return fact_recall(answer[:lead], facts)


def list_completeness(answer: str, items: Sequence[Sequence[str]]) -> float:
    """Share of the items a list question asks for that the answer names (anywhere in it);
    each item is a group of alternatives, matched like a fact."""
    if not items:
        raise ValueError("list completeness needs at least one item")
    return fact_recall(answer, items)


def passes_user_rule(
    answer: str,
    abstained: bool,
    answerable: bool,
    facts: Sequence[Sequence[str]],
    lead: int = LEAD_CHARS,
    longest: int = LONG_CHARS,
) -> bool:
    """The rule the product is checked with by its users: an answerable question passes when
    the system answers, every fact is within the first `lead` characters and the whole answer
    is at most `longest` characters; an unanswerable one passes when the system abstains."""
    if not answerable:
        return abstained
    return not abstained and len(answer) <= longest and lead_fact_recall(answer, facts, lead) == 1.0


def dangling_opening(answer: str) -> bool:
    """Does the answer's first sentence lean on something said before it (`text.dangling`:
    the same rule the product uses when it chooses what leads an answer)? An abstention is
    not an answer: callers skip it (the runner does).

    The check errs on the strict side: a demonstrative whose antecedent in the sentence is
    another word counts (« Propriétaire d'une ancienne école d'art, la Ville de Calais… pour
    rénover ces bâtiments »); write the noun again (« rénover l'école ») to be safe.
    """
    sentences = split_sentences(answer)
    return bool(sentences) and dangling(sentences[0])


# ---------------------------------------------------------------- citations


def split_sentences(answer: str) -> list[str]:
    """The answer's sentences (`text.sentences`), each with the `[n]` markers that follow
    it; markers alone are not a sentence."""
    return [s for s in sentences(answer) if _HAS_CONTENT.search(CITATION.sub("", s))]


def supports(source: str, sentence: str, word_share: float = 0.8) -> bool:
    """Does the source text back the sentence? Yes when the sentence (citations removed,
    normalised) is contained in the normalised source, or when at least `word_share` of its
    content words occur in the source."""
    claim = strip_citations(sentence)
    if not claim:
        return False
    text = plain(source)
    if claim in text or claim.rstrip(".!?…") in text:
        return True
    words = content_words(claim)
    if not words:
        return False
    vocabulary = set(content_words(text))
    return sum(w in vocabulary for w in words) / len(words) >= word_share


def citation_counts(answer: str, sources: Sequence[str]) -> dict[str, int]:
    """Counts for one answer, to be pooled over answers: sentences, sentences with at least
    one valid [n], (sentence, cited source) pairs and how many of them are supported.
    `sources[n - 1]` is the text of source n."""
    sentences = split_sentences(answer)
    counts = {"sentences": len(sentences), "cited_sentences": 0, "pairs": 0, "supported_pairs": 0}
    for s in sentences:
        numbers = extract_citations(s, len(sources))
        counts["cited_sentences"] += bool(numbers)
        counts["pairs"] += len(numbers)
        counts["supported_pairs"] += sum(supports(sources[n - 1], s) for n in numbers)
    return counts


# ---------------------------------------------------------------- abstention


def abstention_scores(
    abstained: Sequence[bool], answerable: Sequence[bool]
) -> dict[str, float | None]:
    """Abstention as a detector of unanswerable questions (the positives).
    precision = abstained and unanswerable / abstained; recall = … / unanswerable."""
    if len(abstained) != len(answerable):
        raise ValueError("one abstention flag per question")
    true_pos = sum(a and not ok for a, ok in zip(abstained, answerable, strict=True))
    predicted = sum(abstained)
    positives = sum(not ok for ok in answerable)
    return {
        "precision": ratio(true_pos, predicted),
        "recall": ratio(true_pos, positives),
    }


def metamorphic_stability(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Share of (variant, original) fact-recall pairs where the variant keeps the original's
    facts (variant ≥ original). Pairs whose original scored 0 are left out: a variant of a
    question the system already fails tests nothing. None when no pair is left."""
    kept = [(v, o) for v, o in pairs if o > 0]
    return ratio(sum(v >= o for v, o in kept), len(kept))


# ---------------------------------------------------------------- aggregation


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between ranks (numpy's default)."""
    xs = sorted(values)
    if not xs:
        return None
    pos = (len(xs) - 1) * q / 100
    low = math.floor(pos)
    high = min(low + 1, len(xs) - 1)
    return xs[low] + (xs[high] - xs[low]) * (pos - low)


def median(values: Iterable[float]) -> float | None:
    return percentile(values, 50)


def p95(values: Iterable[float]) -> float | None:
    return percentile(values, 95)


# ---------------------------------------------------------------- quality gate


def gate_failures(scores: dict[str, float | None], minimums: dict[str, float]) -> list[str]:
    """One line per metric below its minimum (an unknown or undefined metric fails too)."""
    out = []
    for name, minimum in minimums.items():
        value = scores.get(name)
        if value is None:
            out.append(f"{name}: no value (minimum {minimum:.3f})")
        elif value < minimum:
            out.append(f"{name}: {value:.3f} < {minimum:.3f}")
    return out
