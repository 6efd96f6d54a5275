"""Answer cards: loading, the checker that CI runs, and coverage."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answer.cards import check, coverage, load_cards, load_paraphrases, render_lines
from assistant.answer.support import problems, restrictions
from assistant.corpus.load import load_corpus
from assistant.errors import UserError
from assistant.settings import PROJECT_ROOT

GUIDE = load_corpus(PROJECT_ROOT / "corpus")
DEPARTEMENTS = (
    "Les départements interviennent par le biais de leurs politiques sectorielles relatives "
    "à la solidarité et à l'insertion"
)


def write_card(folder: Path, card_id: str, fr: str, quotes: list[str], en: str = "") -> None:
    lines = "\n".join(f"      - {q!r}" for q in quotes)
    (folder / f"{card_id}.yaml").write_text(
        f"id: {card_id}\ntopic: t\nphrasings: [a, b, c]\nanswer:\n"
        f"  - fr: {fr!r}\n    en: {en or 'The départements act.'!r}\n    quotes:\n{lines}\n",
        encoding="utf-8",
    )


def test_a_supported_paraphrase_passes(tmp_path):
    write_card(
        tmp_path,
        "dep",
        "Les départements interviennent par leurs politiques de solidarité et d'insertion.",
        [DEPARTEMENTS],
    )
    assert check(load_cards(tmp_path), GUIDE) == []


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        # a content word the quote does not contain
        ("Les départements interviennent par leurs politiques culturelles.", "cultur"),
        # a number
        ("Les départements interviennent dans 3 politiques d'insertion.", "3"),
        # a restriction with no number and no name
        ("Les départements interviennent uniquement par l'insertion.", "uniquement"),
        ("Les départements n'interviennent pas par l'insertion.", "négation"),
    ],
)
def test_a_planted_unsupported_sentence_fails(tmp_path, sentence, flagged):
    write_card(tmp_path, "dep", sentence, [DEPARTEMENTS])
    found = check(load_cards(tmp_path), GUIDE)
    assert len(found) == 1 and flagged in found[0], found


def test_a_quote_that_is_not_verbatim_fails(tmp_path):
    write_card(tmp_path, "dep", "Les départements interviennent.", ["Les départements agissent"])
    assert "citation absente du guide" in check(load_cards(tmp_path), GUIDE)[0]


def test_english_line_must_keep_the_numbers(tmp_path):
    quote = "La subvention est comprise entre 15 000 et 60 000€"
    write_card(tmp_path, "acte", "La subvention est comprise entre 15 000 et 60 000€.", [quote],
               en="The grant is between 15,000 and 80,000 euros.")  # fmt: skip
    found = check(load_cards(tmp_path), GUIDE)
    # 80 000 is not in the quote; and numbers are written as the guide writes them
    assert found and all("(en)" in f for f in found)
    assert any("80000" in f.replace(",", "") for f in found)
    assert any("comme dans le guide" in f and "15,000" in f for f in found)


def test_bad_files_name_the_file(tmp_path):
    (tmp_path / "x.yaml").write_text("id: y\n", encoding="utf-8")
    with pytest.raises(UserError, match="x.yaml"):
        load_cards(tmp_path)
    (tmp_path / "x.yaml").write_text("id: [\n", encoding="utf-8")
    with pytest.raises(UserError, match="YAML"):
        load_cards(tmp_path)


def test_support_problems_and_restrictions():
    passage = "Chaque projet présenté doit donc bénéficier d'une part d'autofinancement"
    assert problems("Les projets sont éligibles sans autofinancement.", passage)
    assert restrictions("ne peut être versée que") == {"uniquement"}
    assert restrictions("only for rural areas") == {"uniquement"}
    assert not problems("Chaque projet doit bénéficier d'une part d'autofinancement.", passage)


def test_render_keeps_lists_as_lists():
    text = render_lines(["Il y a deux façons :", "- la première ;", "- la seconde.", "Enfin."])
    assert text == "Il y a deux façons :\n- la première ;\n- la seconde.\nEnfin."


def test_project_cards_pass_the_checker():
    """What `python -m assistant cards check` enforces in CI, on the shipped cards."""
    cards = load_cards(PROJECT_ROOT / "cards")
    assert check(cards, GUIDE, load_paraphrases(PROJECT_ROOT / "cards")) == []


def test_coverage_lists_uncited_sentences(tmp_path):
    write_card(
        tmp_path,
        "dep",
        "Les départements interviennent par leurs politiques de solidarité et d'insertion.",
        [DEPARTEMENTS],
    )
    uncovered = coverage(load_cards(tmp_path), GUIDE)
    assert not any(s.startswith("Les départements interviennent") for s in uncovered)
    assert any(s.startswith("Les communes sont des partenaires") for s in uncovered)


def test_cli_check_exits_1_on_a_problem(tmp_path):
    write_card(tmp_path, "dep", "Les départements financent 12 PTCE.", [DEPARTEMENTS])
    run = subprocess.run(
        [sys.executable, "-m", "assistant", "cards", "check", "--cards-dir", str(tmp_path)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, check=False,
    )  # fmt: skip
    assert run.returncode == 1 and "dep: ligne 1" in run.stdout and "12" in run.stdout


def test_bad_paraphrases_and_related_fields_name_the_file(tmp_path):
    (tmp_path / "paraphrases.yaml").write_text("a: [\n", encoding="utf-8")
    with pytest.raises(UserError, match="paraphrases.yaml"):
        load_paraphrases(tmp_path)
    write_card(tmp_path, "dep", "Les départements interviennent.", [DEPARTEMENTS])
    text = (tmp_path / "dep.yaml").read_text(encoding="utf-8")
    (tmp_path / "dep.yaml").write_text(text + "related: x\n", encoding="utf-8")
    with pytest.raises(UserError, match="related"):
        load_cards(tmp_path)


def test_a_phrasing_without_any_needed_word_is_a_problem(tmp_path):
    from assistant.answer.cards import Card, Line, needed

    card = Card(
        "c", "t", "", ("Qui contacter ?", "Comment aider un PTCE ?"), (), needs=("contacter",)
    )
    assert needed(card, "qui contacter pour un ptce") and not needed(card, "comment aider")
    assert needed(Card("d", "t", "", (), ()), "anything")  # no needs: any question
    line = Line("Le RTES réunit 200 collectivités.", "The RTES gathers 200.", ("x",))
    card = Card(
        "c", "t", "", ("Qui contacter ?", "Comment aider ?", "x"), (line,), needs=("contacter",)
    )
    from assistant.answer.cards import check

    assert any("Comment aider ?" in p for p in check([card], []))


def test_a_first_line_that_leans_on_an_earlier_one_is_a_problem():
    from assistant.answer.cards import Card, Line, check

    line = Line("Ce dispositif finance les PTCE.", "This scheme funds PTCEs.", ("x",))
    card = Card("c", "t", "", ("a", "b", "c"), (line,))
    assert any("première ligne" in p for p in check([card], []))
