"""Does the guide answer this question? A calibrated decision, not a pile of rules.

A few signals are read for each question once retrieval, card matching and sentence
selection are done; a logistic regression, fitted on the tuning split plus generated
negatives (`assistant.answer.calibrate`), turns them into the probability that the guide answers.
Below the threshold chosen for abstention precision, the assistant declines.

The fitted model is plain numbers in `index/answerability.json` (features, means, scales,
weights, bias, threshold), applied here with numpy: answering never imports scikit-learn.

    model = AnswerabilityModel.load(path)
    model.probability({"support": 0.91, "focus_in_answer": 1.0, …})  -> 0.97
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

FEATURES = (
    "support",  # the best sentence's score (cosine + lexical + rank)
    "focus_in_answer",  # share of the question's focus terms the chosen answer uses
    "focus_known",  # share of the question's focus terms the guide uses at all
    "key_in_answer",  # 1 when the question's rarest term (or a misspelling of it) is in the answer
    "card_dense",  # best cosine between the question and a card's phrasings
    "card_lexical",  # share of the focus terms the best card uses
    "agreement",  # 1 when dense and BM25 retrieval put the same passage first
)
# Also in the signals, not in the model: "typed", 1 when the answer states the kind of answer
# asked for (an amount, a date…) and every year the question names, and the noun the question
# asks for (« sur quels critères… ») is one the guide uses ("asked_known"). Without it the
# assistant always declines, so the model is fitted and applied only where it is 1.
FILE_NAME = "answerability.json"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerabilityModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float  # answer when the probability is at least this
    fitted_on: str = ""  # what it was fitted on, for the record
    embedding_model: str = ""  # the index's model when fitted: signals depend on it

    def probability(self, signals: Mapping[str, float]) -> float:
        z = self.bias + sum(
            w * (float(signals.get(f, 0.0)) - m) / s
            for f, m, s, w in zip(self.features, self.mean, self.scale, self.weights, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def answers(self, signals: Mapping[str, float]) -> bool:
        return self.probability(signals) >= self.threshold

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(
            json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, embedding_model: str = "") -> AnswerabilityModel | None:
        """The saved model, or None — with a warning in the logs — when there is none, it is
        unreadable, or it was fitted with another embedding model: the assistant then falls
        back to its support threshold. Refit with `python -m assistant calibrate`."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            model = cls(
                features=tuple(str(f) for f in data["features"]),
                mean=tuple(float(x) for x in data["mean"]),
                scale=tuple(float(x) for x in data["scale"]),
                weights=tuple(float(x) for x in data["weights"]),
                bias=float(data["bias"]),
                threshold=float(data["threshold"]),
                fitted_on=str(data.get("fitted_on", "")),
                embedding_model=str(data.get("embedding_model", "")),
            )
        except FileNotFoundError:
            log.warning("no answerability model at %s: using the support threshold", path.name)
            return None
        except (OSError, ValueError, TypeError, KeyError):
            log.warning("unreadable answerability model %s: using the support threshold", path.name)
            return None
        sizes = {len(model.features), len(model.mean), len(model.scale), len(model.weights)}
        if set(model.features) - set(FEATURES) or len(sizes) != 1:
            log.warning("answerability model %s has unknown features: ignored", path.name)
            return None
        if embedding_model and model.embedding_model and model.embedding_model != embedding_model:
            log.warning(
                "answerability model fitted with %s, index uses %s: ignored (run calibrate)",
                model.embedding_model,
                embedding_model,
            )
            return None
        return model


def fit(
    rows: list[Mapping[str, float]],
    answerable: list[bool],
    *,
    min_precision: float = 0.9,
    fitted_on: str = "",
    embedding_model: str = "",
    ruled: tuple[int, int] = (0, 0),
    counted: list[bool] | None = None,
    max_wrongful: float = 0.0,
) -> AnswerabilityModel:
    """A logistic regression on standardised signals, and the threshold: the highest
    probability below which abstaining keeps the assistant's abstentions right
    `min_precision` of the time — counting those its rules already make, `ruled` = (right,
    wrong) refusals of questions these rows leave out (wrong-type answers, unknown names) —
    and refusing at most `max_wrongful` of the answerable questions (none, by default: a
    threshold that refuses some of the questions it is chosen on refuses more of those it has
    not seen). Only the rows marked in
    `counted` (the real questions, not the generated ones) set the threshold; all fit."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array([[float(r.get(f, 0.0)) for f in FEATURES] for r in rows])
    y = np.array(answerable, dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit(
        (x - mean) / scale, y
    )
    model = AnswerabilityModel(
        FEATURES,
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in clf.coef_[0]),
        float(clf.intercept_[0]),
        0.5,
        fitted_on,
        embedding_model,
    )
    keep = counted or [True] * len(rows)
    probs = [model.probability(r) for r, k in zip(rows, keep, strict=True) if k]
    labels = [ok for ok, k in zip(answerable, keep, strict=True) if k]
    threshold = choose_threshold(probs, labels, min_precision, ruled, max_wrongful)
    return AnswerabilityModel(**{**asdict(model), "threshold": threshold})


def choose_threshold(
    probs: Iterable[float],
    answerable: Iterable[bool],
    min_precision: float,
    ruled: tuple[int, int] = (0, 0),
    max_wrongful: float = 1.0,
) -> float:
    """The highest threshold whose abstentions (probability below it, plus the `ruled`
    (right, wrong) refusals made before the model) are unanswerable at least
    `min_precision` of the time and that itself refuses at most `max_wrongful` of the
    answerable questions: it refuses the most while staying that precise."""
    pairs = sorted(zip(probs, answerable, strict=True))
    best = pairs[0][0] - 1e-6 if pairs else 0.5
    right, wrong = ruled
    n_answerable = sum(ok for _, ok in pairs) + ruled[1]
    for i, (p, ok) in enumerate(pairs):
        wrong += ok
        right += not ok
        nxt = pairs[i + 1][0] if i + 1 < len(pairs) else p + 1e-6
        if wrong - ruled[1] > max_wrongful * max(n_answerable, 1):  # the model's own
            break
        if nxt > p and right / (right + wrong) >= min_precision:
            best = _between(p, nxt)
    return float(best)


def _between(low: float, high: float) -> float:
    """Halfway between two probabilities in log-odds, where a logistic model's margin is:
    the widest gap to either side for questions not seen yet."""

    def logit(p: float) -> float:
        p = min(max(p, 1e-9), 1 - 1e-9)
        return math.log(p / (1 - p))

    return 1.0 / (1.0 + math.exp(-(logit(low) + logit(high)) / 2))
