"""`python -m assistant calibrate`: fit the answerability model on the tuning split.

The positives and negatives are the tuning split's questions (eval/questions.jsonl, split
`tune`) and the development questions (eval/dev.jsonl: written from the guide by a writer
who never saw the evaluation set, used for tuning only), plus negatives made the way SQuAD
2.0 made its unanswerable questions: the focus of
a question about something the guide covers is swapped for an aspect the guide never
states (« les règles comptables de l'ACTE », « le délai de l'AMI de la Somme »). The signals
are read from the pipeline itself (`Answer.signals`), so the model sees exactly what it will
decide on; the fitted numbers go to `index/answerability.json`.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from dataclasses import replace
from pathlib import Path

from ..settings import PROJECT_ROOT, Settings
from .answerability import FILE_NAME, fit

# Things a guide of this kind could say and this one does not (checked against the guide).
ASPECTS = (
    "les règles comptables",
    "les obligations fiscales",
    "le régime de TVA",
    "la convention collective applicable",
    "le calendrier de dépôt des dossiers",
    "la date limite de candidature",
    "les pièces justificatives à fournir",
    "les critères de notation du jury",
    "le nombre de salariés minimum",
    "le contrat d'assurance obligatoire",
    "le statut des bénévoles",
    "le numéro de téléphone du référent",
    "l'adresse e-mail du chargé de mission",
    "le montant moyen versé par projet",
    "la durée du préavis de sortie",
    "le quorum de l'assemblée générale",
    "les indicateurs d'évaluation obligatoires",
    "le plafond légal de participation au capital",
)
SUBJECTS = (
    "un PTCE",
    "le dispositif ACTE",
    "l'AMI du Département de la Somme",
    "l'AMI PTCE émergents",
    "une SCIC",
    "le PTCE Anima",
    "la charte des PTCE",
    "une convention pluriannuelle d'objectifs",
)
TEMPLATES = (
    "Quels sont {aspect} pour {subject} ?",
    "Que prévoit le guide sur {aspect} de {subject} ?",
    "{aspect} de {subject}, c'est quoi ?",
    "Pouvez-vous me préciser {aspect} concernant {subject} ?",
)


def focus_swaps(n: int, seed: int = 7) -> list[str]:
    """`n` questions on an aspect the guide does not state, of a subject it covers."""
    combos = list(itertools.product(ASPECTS, SUBJECTS, TEMPLATES))
    random.Random(seed).shuffle(combos)
    out = []
    for aspect, subject, template in combos[:n]:
        text = template.format(aspect=aspect, subject=subject)
        out.append(text[0].upper() + text[1:])
    return out


def collect(
    pipeline, items: list[tuple[str, list, bool]], *, progress: bool = True
) -> tuple[list[dict], list[bool], tuple[int, int]]:
    """Signals and labels for each question the pipeline gets as far as deciding on, and the
    (right, wrong) refusals its rules make before that."""
    from tqdm import tqdm

    from ..errors import UserError

    rows, labels, ruled = [], [], [0, 0]
    shown = tqdm(items, desc="calibrate", file=sys.stderr, disable=not progress)
    for text, history, answerable in shown:
        try:
            answer = pipeline.ask(text, history)
        except UserError:
            continue
        if answer.signals and answer.signals.get("typed"):
            rows.append(answer.signals)
            labels.append(answerable)
        elif answer.abstained:  # declined by rule (wrong type, unknown name, injection)
            ruled[answerable] += 1
    return rows, labels, (ruled[0], ruled[1])


def run_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from ..errors import UserError
    from ..evaluation.data import load_questions
    from ..pipeline import Pipeline

    try:
        import sklearn  # noqa: F401
    except ImportError as exc:
        raise UserError(
            "calibrate a besoin de scikit-learn : pip install -e '.[calibrate]'."
        ) from exc

    questions = load_questions(args.questions or PROJECT_ROOT / "eval" / "questions.jsonl", "tune")
    dev_path = getattr(args, "dev", None) or PROJECT_ROOT / "eval" / "dev.jsonl"
    dev = (
        [] if str(dev_path) == "none" or not Path(dev_path).is_file() else load_questions(dev_path)
    )
    questions = [*questions, *dev]
    items = [(q.question, list(q.history), q.answerable) for q in questions]
    real = len(items)
    items += [(text, [], False) for text in focus_swaps(args.negatives)]
    pipeline = Pipeline.load(settings, progress=not args.quiet)
    fitted = pipeline.answerability
    pipeline = replace(pipeline, answerability=None)  # signals do not depend on the model
    rows, labels, ruled = collect(pipeline, items[:real], progress=not args.quiet)
    if getattr(args, "threshold_only", False):
        return _rethreshold(fitted, rows, labels, ruled, args, settings, len(dev))
    rows_gen, labels_gen, _ = collect(pipeline, items[real:], progress=not args.quiet)
    model = fit(
        rows + rows_gen,
        labels + labels_gen,
        counted=[True] * len(rows) + [False] * len(rows_gen),
        embedding_model=pipeline.index.manifest.get("embedding_model", ""),
        min_precision=args.min_precision,
        ruled=ruled,
        fitted_on=f"{len(rows)} questions: tune split and {len(dev)} development questions "
        f"({sum(labels)} answerable) + "
        f"{args.negatives} generated focus swaps; threshold on these questions for abstention "
        f"precision >= {args.min_precision} and no wrongful refusal, halfway in log-odds",
    )
    path = Path(settings.index_dir) / FILE_NAME
    model.save(path)
    _report(model, rows, labels, ruled, path)
    return 0


def _rethreshold(fitted, rows, labels, ruled, args, settings, n_dev: int) -> int:
    """Keep the fitted weights; choose the threshold again on the questions as the current
    rules read them."""
    from dataclasses import asdict

    from ..errors import UserError
    from .answerability import AnswerabilityModel, choose_threshold

    if fitted is None:
        raise UserError("Aucun modèle à reprendre : lancez d'abord python -m assistant calibrate.")
    threshold = choose_threshold(
        [fitted.probability(r) for r in rows], labels, args.min_precision, ruled, 0.0
    )
    note = (
        f"; threshold chosen again on {len(rows)} questions (tune split and {n_dev} development "
        f"questions) for abstention precision >= {args.min_precision} and no wrongful refusal, "
        "halfway in log-odds"
    )
    model = AnswerabilityModel(
        **{
            **asdict(fitted),
            "threshold": threshold,
            "fitted_on": fitted.fitted_on.split(";")[0] + note,
        }
    )
    path = Path(settings.index_dir) / FILE_NAME
    model.save(path)
    _report(model, rows, labels, ruled, path)
    return 0


def _report(model, rows, labels, ruled, path: Path) -> None:
    refused = [model.probability(r) < model.threshold for r in rows]
    right = sum(r and not ok for r, ok in zip(refused, labels, strict=True))
    wrong = sum(r and ok for r, ok in zip(refused, labels, strict=True))
    shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    print(f"Answerability model written to {shown}.")
    print(f"Refused by rule before the model: {ruled[0]} right, {ruled[1]} wrongful.")
    print(f"On the tune and development questions: {right} right refusals, {wrong} wrongful ones, "
          f"{sum(not ok for ok in labels) - right} unanswerable questions answered.")  # fmt: skip
    for name, weight in zip(model.features, model.weights, strict=True):
        print(f"  {name:16s} {weight:+.3f}")
    print(f"  threshold        {model.threshold:.3f}")
