"""Follow-up resolution without an LLM: "et son montant ?" after a question about ACTE
becomes a standalone retrieval query that carries the earlier question's topic.

`resolve(question, history)` is pure. A message counts as a follow-up when there is an
earlier user turn and the message is short, opens with a connective ("et", "and", "what
about"…) or leans on a pronoun or demonstrative ("son", "ce dispositif", "it"…) without
naming a topic of its own. The resolved query is the earlier (resolved) user question, then
the new one.
"""

from __future__ import annotations

import re

from .analysis import analyze

_CONNECTIVE = re.compile(
    r"^\s*(et|and|mais|but|aussi|also|ou|or|what about|how about|quid|et pour|et si|et en|"
    r"et le|et la|et les|et son|et sa|et ses|et leur|et combien|et quand|et qui|et comment)\b",
    re.IGNORECASE,
)
_ANAPHORA = re.compile(
    r"\b(son|sa|ses|leur|leurs|il|elle|ils|elles|celui|celle|ceux|celles|celui-ci|celle-ci|"
    r"ce dispositif|cet ami|cette aide|ce projet|ce pôle|ce ptce|cette subvention|ce programme|"
    r"en|y|lui|its|it|their|they|this|that|these|those|them)\b",
    re.IGNORECASE,
)
_MAX_FOLLOWUP_TERMS = 4


def is_followup(question: str) -> bool:
    terms = analyze(question)
    if _CONNECTIVE.match(question):
        return True
    if len(terms) <= _MAX_FOLLOWUP_TERMS and _ANAPHORA.search(question):
        return True
    return len(terms) <= 1


def _standalone(question: str, context: str) -> str:
    return f"{context} {question}" if context and is_followup(question) else question


def resolve(question: str, history: list[dict[str, str]] | None) -> str:
    """The standalone query to retrieve with (the question itself when it is not a follow-up).

    Earlier user turns are resolved in order first, so a chain of follow-ups keeps its topic.
    """
    context = ""
    for turn in history or []:
        content = str(turn.get("content", "")).strip() if isinstance(turn, dict) else ""
        if turn.get("role") == "user" and content:
            context = _standalone(content, context)
    return _standalone(question, context)
