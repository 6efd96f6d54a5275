"""The answer paths on the tiny corpus: an answer card, follow-ups by topic, English, the
calibrated decision, typed refusals, and the JSON contract's `method`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.answer.answerability import AnswerabilityModel, choose_threshold, fit
from assistant.answer.cards import Line
from assistant.answer.compose import (
    compose_card,
    lead_with_example,
    lead_with_focus,
    lead_with_list,
    lead_with_person,
    lead_with_type,
)
from assistant.answer.followup import resolve_topic
from assistant.pipeline import Pipeline
from assistant.schema import Chunk

CARD = """id: financement
topic: "Le financement du jardin par la commune"
section: "Financement"
actor: commune
phrasings:
  - "Combien la commune donne-t-elle au jardin ?"
  - "subvention commune jardin"
  - "how much does the town give to the garden"
answer:
  - fr: "La commune verse au jardin une subvention de 3 000 euros par an."
    en: "The town gives the garden a grant (subvention) of 3 000 euros a year."
    quotes: ["La commune verse une subvention de 3 000 euros par an au jardin."]
  - fr: "Cette aide est limitée à 40 % des dépenses."
    en: "This support is capped at 40 % of the expenses."
    quotes: ["Cette aide est limitée à 40 % des dépenses."]
"""
GOVERNANCE = """id: gouvernance
topic: "Qui gère le jardin"
section: "Gouvernance"
phrasings: ["Qui gère le jardin ?", "gouvernance du jardin", "who runs the garden"]
answer:
  - fr: "Le jardin est géré par une association loi 1901."
    en: "The garden is run by an association (loi 1901)."
    quotes: ["Le jardin est géré par une association loi 1901."]
"""


@pytest.fixture
def pipeline(tiny_settings, fake_embedder):
    tiny_settings.cards_dir.mkdir()
    (tiny_settings.cards_dir / "financement.yaml").write_text(CARD, encoding="utf-8")
    (tiny_settings.cards_dir / "gouvernance.yaml").write_text(GOVERNANCE, encoding="utf-8")
    settings = replace(tiny_settings, min_card_score=0.5)
    return Pipeline.load(settings, embedder=fake_embedder, progress=False)


def test_a_matching_card_answers_with_citations(pipeline):
    a = pipeline.ask("Combien la commune donne-t-elle au jardin ?")
    assert a.method == "card" and a.card == "financement" and not a.abstained
    assert a.answer.startswith(
        "La commune verse au jardin une subvention de 3 000 euros par an. [1]"
    )
    assert a.sources[0].section == "Financement"
    assert a.to_json()["method"] == "card"


def test_an_english_question_gets_the_cards_english(pipeline):
    a = pipeline.ask("how much does the town give to the garden?")
    assert a.method == "card" and a.answer.startswith("The town gives the garden")
    # its signals read the English answer it is shown: « grant » is in it, not in the French
    b = pipeline.ask("what grant does the town give?")
    assert b.card == "financement" and b.signals["focus_in_answer"] == 1.0


def test_a_request_for_english_gets_the_cards_english(pipeline):
    a = pipeline.ask("Combien la commune donne-t-elle au jardin ? en anglais stp")
    assert a.card == "financement" and a.answer.startswith("The town gives the garden")


def test_without_cards_the_answer_is_extractive(pipeline):
    plain = replace(pipeline, settings=replace(pipeline.settings, use_cards=False))
    a = plain.ask("Combien la commune donne-t-elle au jardin ?")
    assert a.method == "extractive" and "3 000 euros" in a.answer, (a.reason, a.signals, a.answer)


def test_a_follow_up_never_repeats_the_previous_answer(pipeline):
    first = pipeline.ask("Combien la commune donne-t-elle au jardin ?")
    history = [
        {"role": "user", "content": "Combien la commune donne-t-elle au jardin ?"},
        {"role": "assistant", "content": first.answer},
    ]
    again = pipeline.ask("et qui gère ce jardin ?", history)
    assert again.answer != first.answer and "3 000" not in again.answer.split("[1]")[0]


def test_a_number_of_another_kind_is_a_typed_refusal(pipeline):
    a = pipeline.ask("Quel est le numéro de téléphone du jardin ?")
    assert a.abstained and a.reason == "wrong_type"
    assert a.answer.startswith("Le guide ne donne pas de numéro de téléphone.")
    assert len(a.answer) <= 400


def test_our_region_is_the_one_the_user_says_they_work_for(pipeline):
    own = pipeline.ask(
        "Je travaille à la Région Occitanie. Notre région finance-t-elle le jardin ?"
    )
    assert own.abstained and own.reason == "unknown_entity" and "Occitanie" in own.answer
    # where the user is does not matter to a question about what such authorities may do
    general = pipeline.ask("Je travaille en Occitanie. Une commune finance-t-elle le jardin ?")
    assert general.reason != "unknown_entity"


def test_a_users_word_for_a_guide_word_is_no_unknown_name(tiny_settings, fake_embedder):
    tiny_settings.cards_dir.mkdir()
    (tiny_settings.cards_dir / "synonyms.yaml").write_text("SCIC: [COOP]\n", encoding="utf-8")
    pipeline = Pipeline.load(tiny_settings, embedder=fake_embedder, progress=False)
    assert pipeline.ask("Can a commune join a COOP?").reason != "unknown_entity"
    assert pipeline.ask("Can a commune join a FOOP?").reason == "unknown_entity"


def test_a_long_message_needs_a_little_less_closeness_to_a_card(pipeline, monkeypatch):
    import assistant.pipeline as P

    seen = []
    real = P.choose_card

    def spy(matches, analysis, topic, minimum, cards):
        seen.append(minimum)
        return real(matches, analysis, topic, minimum, cards)

    monkeypatch.setattr(P, "choose_card", spy)
    pipeline.ask("Combien la commune donne-t-elle au jardin ?")
    story = " ".join(["Nous avons un jardin partagé dans le quartier depuis des années."] * 6)
    pipeline.ask(f"{story} Combien la commune donne-t-elle au jardin ?")
    base = pipeline.settings.min_card_score
    assert seen[0] == base and seen[-1] == base - P.LONG_SLACK
    pipeline.ask("How much does the commune give the garden?")  # English: further from cards
    assert seen[-1] == base - P.ENGLISH_SLACK
    # both: a long message in English is further still (the two slacks add up)
    tale = " ".join(["We have had a shared garden in the neighbourhood for many years."] * 6)
    pipeline.ask(f"{tale} How much does the commune give the garden?")
    assert seen[-1] == pytest.approx(base - P.LONG_SLACK - P.ENGLISH_SLACK)


def test_a_calibrated_model_decides(pipeline):
    never = AnswerabilityModel(("support",), (0.0,), (1.0,), (0.0,), -30.0, 0.5)
    refusing = replace(pipeline, answerability=never)
    a = refusing.ask("Combien la commune donne-t-elle au jardin ?")
    assert a.abstained and a.reason == "low_support" and a.signals["typed"] == 1.0


def test_resolve_topic_carries_actor_and_focus_not_the_answer():
    history = [
        {"role": "user", "content": "Comment un département peut-il financer un PTCE ?"},
        {"role": "assistant", "content": "Les départements interviennent [1]."},
    ]
    t = resolve_topic("et pour une commune ?", history)
    assert t.followup and t.analysis.actor == "commune" and "interviennent" not in t.query
    t = resolve_topic("et le montant ?", history)
    assert t.analysis.actor == "departement" and t.analysis.wants == "amount"
    assert resolve_topic("lequel travaille sur l'alimentation ?", history).followup


def test_typed_line_leads_a_card(pipeline):
    card = pipeline.cards.by_id["gouvernance"]
    lines = [*card.lines, *pipeline.cards.by_id["financement"].lines]
    assert lead_with_type(lines, "amount")[0] == lines[1]  # the 3 000 euros first
    assert lead_with_type(lines, "")[0] == lines[0]
    text, sources = compose_card(card, "fr", pipeline.index.chunks)
    assert text.endswith("[1]") and len(sources) == 1


def test_the_line_that_names_what_is_asked_for_leads_a_card(pipeline):
    money, board = pipeline.cards.by_id["financement"], pipeline.cards.by_id["gouvernance"]
    card = replace(money, lines=(money.lines[0], *board.lines))
    chunks, weight = pipeline.index.chunks, pipeline._weight
    # « quelle association… ? »: the line that names one first; « quelle subvention ? »: first
    text, _ = compose_card(card, "fr", chunks, weight=weight, asked="associ")
    assert text.startswith("Le jardin est géré par une association")
    text, _ = compose_card(card, "fr", chunks, weight=weight, asked="subvent")
    assert text.startswith("La commune verse")
    # « Cette aide… » cannot open an answer
    text, _ = compose_card(money, "fr", chunks, weight=weight, asked="depens")
    assert text.startswith("La commune verse")


def test_what_an_acronym_stands_for_is_answered_in_the_guides_words(pipeline):
    import doctest

    from assistant.answer import acronym

    assert doctest.testmod(acronym).failed == 0
    a = pipeline.ask("Que veut dire SCIC ?")
    assert a.answer.startswith("« SCIC » signifie « Société Coopérative d'Intérêt Collectif »")
    assert not a.abstained and a.method == "extractive" and "[1]" in a.answer
    assert "Société Coopérative" in a.sources[0].text
    en = pipeline.ask("What does SCIC stand for?")
    assert en.answer.startswith('"SCIC" stands for « Société Coopérative')
    # what a SCIC is, or one of its words, is not what its letters stand for
    assert "signifie" not in pipeline.ask("C'est quoi une SCIC ?").answer
    assert "signifie" not in pipeline.ask("Que veut dire le mot « intérêt » dans SCIC ?").answer
    # the corpus never spells ESS out: no answer made of the glossary's words, but a refusal
    ess = pipeline.ask("Que veut dire ESS ?")
    assert "économie sociale" not in ess.answer and "signifie" not in ess.answer
    assert ess.abstained
    # « désigne » of something else, « means » as a noun
    assert "signifie" not in pipeline.ask("Qui désigne les membres de la SCIC ?").answer
    assert "stands for" not in pipeline.ask("What means does a SCIC have?").answer


def test_the_figure_about_the_questions_rarest_french_word_leads():
    from assistant.answer.compose import _typed_about

    capped = Line(
        "La subvention est limitée à 50 % des dépenses.", "The grant is capped at 50%.", ()
    )
    rural = Line(
        "Bonification en territoires ruraux : taux de 60 %.", "Rural bonus: a 60% rate.", ()
    )
    weights = {"grant": 9.0, "rural": 3.0}  # « grant »: a word the (French) guide never uses
    moved = _typed_about([capped, rural], "percentage", "", ("grant", "rural"), weights.get)
    assert moved[0] is rural
    # the rarest word both lines say tells them apart no more: the one only the second says
    began = Line("À Hénin-Carvin, fin 2020, une mission.", "In Hénin-Carvin, end of 2020.", ())
    known = Line("Hénin-Carvin a été reconnue en juillet 2021.", "Recognised in July 2021.", ())
    weights = {"henin": 9.0, "carvin": 9.0, "reconnu": 3.0}
    moved = _typed_about([began, known], "date", "", ("henin", "carvin", "reconnu"), weights.get)
    assert moved[0] is known


def test_who_did_it_is_answered_by_the_sentence_naming_that_person():
    from assistant.pipeline import WHO

    lines = [
        _line("L'AMI a été lancé en mai 2021."),
        _line("15 lauréats ont reçu 100 000 euros."),
        _line("Marlène Schiappa, secrétaire d'Etat, a renouvelé l'AMI en 2022."),
    ]
    assert lead_with_person(lines)[0] == lines[2]
    assert lead_with_person(lines[:2]) == lines[:2]  # nobody named: nothing moves
    assert WHO.search("Qui a rendu l'AMI permanent ?") and WHO.search("who renewed it?")
    from assistant.answer.decide import _HE

    assert _HE.search("il regroupe combien de structures ?")
    assert not _HE.search("y a-t-il un avantage ?") and not _HE.search("faut-il un dossier ?")
    assert not WHO.search("Qui peut déposer un dossier ACTE ?")  # who may, not who did
    assert WHO.search("c'est qui lui ?") and WHO.search("and who is he?")


def test_fit_and_threshold_and_round_trip(tmp_path):
    rows = [{"support": x / 10, "focus_known": x / 10} for x in range(10)]
    labels = [x >= 4 for x in range(10)]
    model = fit(rows, labels, min_precision=0.9)
    assert all(model.answers(r) == ok for r, ok in zip(rows, labels, strict=True))
    model.save(tmp_path / "m.json")
    assert AnswerabilityModel.load(tmp_path / "m.json") == model
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    assert AnswerabilityModel.load(tmp_path / "bad.json") is None


def test_threshold_keeps_the_precision_asked_for():
    probs = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    answerable = [False, False, True, False, True, True]
    t = choose_threshold(probs, answerable, 0.9)
    refused = [ok for p, ok in zip(probs, answerable, strict=True) if p < t]
    assert refused == [False, False]
    # halfway in log-odds between the last refused and the first answered
    assert 0.2 < t < 0.3 and abs(t - 1 / (1 + ((0.8 * 0.7) / (0.2 * 0.3)) ** 0.5)) < 1e-9
    # rules' own wrongful refusals do not stop the model from refusing what it should
    assert choose_threshold(probs, answerable, 0.9, ruled=(40, 1), max_wrongful=0.0) == t


def test_a_model_fitted_with_another_embedder_is_ignored(tmp_path):
    model = AnswerabilityModel(("support",), (0.0,), (1.0,), (1.0,), 0.0, 0.5, "", "model-a")
    model.save(tmp_path / "m.json")
    assert AnswerabilityModel.load(tmp_path / "m.json", "model-a") == model
    assert AnswerabilityModel.load(tmp_path / "m.json", "model-b") is None
    (tmp_path / "n.json").write_text('{"features": ["support"], "mean": [0], "scale": [1], '
                                     '"weights": [1], "bias": 0, "threshold": "x"}')  # fmt: skip
    assert AnswerabilityModel.load(tmp_path / "n.json") is None


def test_a_card_whose_quote_the_index_lacks_is_left_out(tiny_settings, fake_embedder):
    tiny_settings.cards_dir.mkdir()
    (tiny_settings.cards_dir / "financement.yaml").write_text(CARD, encoding="utf-8")
    stale = CARD.replace("id: financement", "id: ailleurs").replace(
        "Cette aide est limitée à 40 % des dépenses.", "Une phrase que le guide n'a plus."
    )
    (tiny_settings.cards_dir / "ailleurs.yaml").write_text(stale, encoding="utf-8")
    p = Pipeline.load(tiny_settings, embedder=fake_embedder, progress=False)
    assert [c.id for c in p.cards.cards] == ["financement"]


def test_a_new_actor_in_a_followup_replaces_the_earlier_one():
    history = [
        {"role": "user", "content": "Quel rôle pour une intercommunalité auprès d'un PTCE ?"},
        {"role": "assistant", "content": "Les intercommunalités sont des partenaires [1]."},
    ]
    t = resolve_topic("et pour une commune ?", history)
    assert t.analysis.actor == "commune"
    assert "intercommunalité" not in t.query and "commune" in t.query
    assert "intercommunal" not in t.analysis.focus


def test_a_typed_followup_may_come_back_to_the_previous_card(pipeline):
    history = [
        {"role": "user", "content": "Combien la commune donne-t-elle au jardin ?"},
        {
            "role": "assistant",
            "content": pipeline.ask("Combien la commune donne-t-elle au jardin ?").answer,
        },
    ]
    a = pipeline.ask("et quel pourcentage des dépenses ?", history)
    assert a.card == "financement" and not a.abstained and "40 %" in a.answer


def _line(fr: str) -> Line:
    return Line(fr, fr, (fr,))


def test_the_part_of_a_card_the_question_is_about_leads():
    lines = [
        _line("Un PTCE facilite le changement d'échelle."),
        _line("À Amiens, le PTCE « Une ville idéale » s'est constitué."),
        _line("Il compte environ 40 structures."),
    ]
    moved = lead_with_focus(lines, ("amien",), lambda t: 1.0)
    assert moved == [lines[1], lines[2], lines[0]]  # the Amiens lines keep their order
    assert lead_with_focus(lines, ("echel",), lambda t: 1.0) == lines  # already first
    assert lead_with_focus(lines, ("structur",), lambda t: 1.0)[0] == lines[1]  # not « Il… »
    # past the first 450 characters, a later part leads only when much more about the question
    long = [_line("Un PTCE facilite le changement d'échelle" + ", en effet" * 45 + "."), *lines[1:]]
    weights = {"echel": 1.0, "amien": 1.2, "structur": 2.0}.get
    assert lead_with_focus(long, ("echel", "amien"), lambda t: weights(t, 0.0)) == long
    assert (
        lead_with_focus(long, ("echel", "amien", "structur"), lambda t: weights(t, 0.0))[0]
        == long[1]
    )


def test_a_list_moves_with_the_line_that_introduces_it():
    lines = [
        _line("Le terme est né en 2009."),
        _line("Le PTCE est issu d'une démarche associant :"),
        _line("- le Labo de l'ESS ;"),
        _line("- le RTES."),
    ]
    moved = lead_with_focus(lines, ("labo",), lambda t: 1.0)
    assert moved == [lines[1], lines[2], lines[3], lines[0]]
    # a sentence on « il » after a list needs the line that introduces the list, not a bullet
    after = [*lines[1:], _line("Il vise à soutenir des projets.")]
    assert lead_with_focus(after, ("projet",), lambda t: 1.0) == after


def test_a_list_question_gets_the_list_it_asks_for_first():
    lines = [
        _line("La Ville a fait appel au PTCE Anima pour rénover une école."),
        _line("Le PTCE Anima, collectif de 25 structures, développe des initiatives."),
        _line("Deux projets sont à l'étude :"),
        _line("- l'aménagement de la place Albert 1er ;"),
        _line("- une Maison des Artistes."),
    ]
    # the sentences naming Anima are as much « about » it, but the list is what is asked
    moved = lead_with_list(lines, ("projet", "etud", "anim"), lambda t: 1.0)
    assert moved == [lines[2], lines[3], lines[4], lines[0], lines[1]]
    assert lead_with_list(lines, ("ecol",), lambda t: 1.0) == lines  # no list is about it
    assert lead_with_list(lines[2:], ("projet",), lambda t: 1.0) == lines[2:]  # already first
    # the noun asked for (« sur quels projets… ? ») must be in the line that introduces it
    assert lead_with_list(lines, ("projet",), lambda t: 1.0, named=True)[0] == lines[2]
    assert lead_with_list(lines, ("albert",), lambda t: 1.0, named=True) == lines


def _card(card_id: str, text: str, actor: str = "", needs: tuple[str, ...] = ()):
    from assistant.answer.cards import Card

    return Card(card_id, card_id, "", ("q",), (Line(text, text, (text,)),), actor, needs=needs)


def test_a_card_that_needs_a_word_answers_only_questions_that_use_it():
    import numpy as np

    from assistant.answer.cardmatch import CardIndex, CardMatch
    from assistant.answer.decide import choose_card
    from assistant.answer.followup import Topic
    from assistant.answer.question import analyse

    guide = _card("guide", "Ce document date de mars 2025.", needs=("guide", "document"))
    cards = CardIndex([guide], np.zeros((2, 4)))
    for question, chosen in (
        ("De quand date ce guide ?", guide),
        ("De quand date la charte ?", None),
    ):
        a = analyse(question)
        assert (
            choose_card([CardMatch(guide, 1.0, 1.0, 1.0)], a, Topic(question, a, False), 0.9, cards)
            is chosen
        )
    # a follow-up needs no word its conversation said before
    a = analyse("c'était quand et où ?")
    assert a.wants == "date"
    said = Topic("ce guide, il est sorti d'où ? c'était quand et où ?", a, True)
    assert choose_card([CardMatch(guide, 1.0, 1.0, 1.0)], a, said, 0.9, cards) is guide


def test_a_card_chosen_for_its_figure_must_be_on_the_question_topic():
    import numpy as np

    from assistant.answer.cardmatch import CardIndex, CardMatch
    from assistant.answer.decide import choose_card
    from assistant.answer.followup import Topic
    from assistant.answer.question import analyse

    general = _card("general", "Les collectivités, comme la Somme, financent le fonctionnement.")
    state = _card("etat", "L'AMI de l'État finance 15 lauréats sur deux ans.", actor="etat")
    cards = CardIndex([general, state], np.zeros((4, 4)))
    matches = [CardMatch(general, 1.0, 0.95, 1.0), CardMatch(state, 0.97, 0.9, 0.5)]

    def chosen(question):
        a = analyse(question)
        return choose_card(matches, a, Topic(question, a, False), 0.9, cards)

    assert chosen("L'aide de l'État dure combien de temps ?") is state  # same actor
    assert chosen("Combien de temps dure l'AMI de la Somme ?") is None  # not the Somme's


def test_a_followup_gets_no_card_already_given_in_the_conversation(pipeline):
    first = pipeline.ask("Combien la commune donne-t-elle au jardin ?")
    second = pipeline.ask("Qui gère le jardin ?")
    history = [
        {"role": "user", "content": "Combien la commune donne-t-elle au jardin ?"},
        {"role": "assistant", "content": first.answer},
        {"role": "user", "content": "Qui gère le jardin ?"},
        {"role": "assistant", "content": second.answer},
    ]
    t = resolve_topic("et pour le jardin, quoi d'autre ?", history)
    assert t.previous_answer == second.answer and t.earlier_answers == (first.answer,)
    a = pipeline.ask("et pour le jardin, quoi d'autre ?", history)
    assert a.card not in ("financement", "gouvernance")


def _chosen(first, second, question: str):
    """The card `choose_card` picks for `question` when `first` matches a little better."""
    import numpy as np

    from assistant.answer.cardmatch import CardIndex, CardMatch
    from assistant.answer.decide import choose_card
    from assistant.answer.followup import Topic
    from assistant.answer.question import analyse

    cards = CardIndex([first, second], np.zeros((4, 4)))
    matches = [CardMatch(first, 1.0, 0.97, 0.5), CardMatch(second, 0.98, 0.96, 0.5)]
    a = analyse(question)
    return choose_card(matches, a, Topic(a.core, a, False), 0.9, cards)


def test_a_card_that_names_what_the_question_names_is_preferred():
    amiens = _card("amiens", "Le PTCE d'Amiens compte 40 structures.")
    calais = _card("calais", "Le PTCE Anima de Calais compte 25 structures.")
    assert _chosen(amiens, calais, "Le PTCE Anima regroupe combien de structures ?") is calais
    # a name no card uses changes nothing
    assert _chosen(amiens, calais, "Combien de structures dans notre PTCE de Lens ?") is amiens
    # typed in lower case
    assert _chosen(amiens, calais, "le ptce anima ca regroupe combien de structures") is calais
    # a name in what the user says of themselves is not what they ask about
    told = "Une amie travaille chez Anima. Un PTCE regroupe combien de structures en général ?"
    assert _chosen(amiens, calais, told) is amiens
    # but the question may point back at what the sentence before named
    back = "Je rédige une fiche sur Anima. Ce pôle regroupe combien de structures ?"
    assert _chosen(amiens, calais, back) is calais


def test_the_sentence_that_asks_may_carry_the_words_a_card_needs():
    import numpy as np

    from assistant.answer.cardmatch import CardIndex, CardMatch
    from assistant.answer.decide import choose_card
    from assistant.answer.followup import Topic
    from assistant.answer.question import analyse

    law = _card("law", "La loi définit les membres d'un pôle.")
    cards = CardIndex([law], np.zeros((2, 4)))
    question = (
        "Quelles structures peuvent être membres d'un pôle selon la loi ? Je préside un "
        "club sportif à Tourcoing avec deux clubs, une piscine municipale, un gymnase, des "
        "bénévoles motivés, une buvette, un parking et un boulodrome, et nous hésitons."
    )
    a = analyse(question)
    match = CardMatch(law, 0.95, 0.95, cards.share(law, a.focus))
    assert match.lexical < 0.2 and cards.share(law, a.asked) >= 0.2  # diluted, asked
    assert choose_card([match], a, Topic(a.core, a, False), 0.9, cards) is law


def test_a_long_message_very_close_to_a_phrasing_needs_fewer_of_its_words():
    import numpy as np

    from assistant.answer.cardmatch import CardIndex, CardMatch
    from assistant.answer.decide import choose_card
    from assistant.answer.followup import Topic
    from assistant.answer.question import analyse

    law = _card("law", "L'article 9 de la loi de 2014 les définit.")
    cards = CardIndex([law], np.zeros((2, 4)))
    question = (
        "On est un collectif de six associations sportives du Boulonnais. L'agglo nous demande "
        "sur quel texte repose la notion de pôle. Vous pouvez me donner la référence exacte ?"
    )
    a = analyse(question)
    for dense, chosen in ((0.96, law), (0.93, None)):
        match = CardMatch(law, dense, dense, cards.share(law, a.focus))
        assert choose_card([match], a, Topic(a.core, a, False), 0.9, cards) is chosen


def test_a_card_as_close_that_uses_the_questions_words_answers():
    import numpy as np

    from assistant.answer.cardmatch import CardIndex, CardMatch
    from assistant.answer.decide import choose_card
    from assistant.answer.followup import Topic
    from assistant.answer.question import analyse

    term = _card("term", "Le terme est né en 2009.")
    charter = _card("charter", "La charte commune de référence date de 2014.")
    cards = CardIndex([term, charter], np.zeros((4, 4)))
    a = analyse("Existe-t-il une charte commune de référence pour ces pôles ?")
    matches = [
        CardMatch(term, 0.92, 0.92, cards.share(term, a.focus)),
        CardMatch(charter, 0.915, 0.915, cards.share(charter, a.focus)),
    ]
    assert choose_card(matches, a, Topic(a.core, a, False), 0.9, cards) is charter
    far = [matches[0], CardMatch(charter, 0.90, 0.90, matches[1].lexical)]
    assert choose_card(far, a, Topic(a.core, a, False), 0.9, cards) is None


def test_a_name_typed_in_lower_case_is_not_a_common_noun():
    import numpy as np

    from assistant.answer.cardmatch import CardIndex
    from assistant.answer.decide import _rare_names

    somme = _card("s1", "Le département de la Somme a lancé un AMI.")
    calais = _card("c1", "Le PTCE Anima de Calais compte 25 structures.")
    other = _card("o1", "Les collectivités peuvent aider.")
    cards = CardIndex(
        [somme, calais, other, _card("x", "Rien."), _card("y", "Rien.")], np.zeros((5, 4))
    )
    assert _rare_names("le departement de la somme a financé quoi", cards) == {"somme"}
    assert _rare_names("quelle somme peut-on espérer ?", cards) == set()  # a sum
    assert "calais" in _rare_names("le ptce de calais c porté par qui", cards)
    assert "calais" in _rare_names("un ptce en calais ?", cards)  # « en », a place follows
    epci = _card("e1", "Les EPCI de plus de 15 000 habitants.")
    cards = CardIndex([epci, other, _card("x", "Rien."), _card("y", "Rien.")], np.zeros((4, 4)))
    assert _rare_names("pourquoi notre EPCI soutiendrait un PTCE ?", cards) == set()  # a kind


def test_proper_names_are_the_words_only_ever_capitalised():
    from assistant.answer.cardmatch import proper_names

    names = proper_names(
        ["Le PTCE Anima de Calais et la Région.", "Le Département de la Somme."],
        ("les régions et les départements", "l'animation du pôle"),
    )
    assert {"anima", "calais", "somme", "ptce"} <= names
    assert not names & {"region", "departement", "le"}  # also written in lower case


def test_the_bullet_asked_about_heads_its_list_unless_the_list_is_wanted():
    lines = [
        _line("Pour aller plus loin :"),
        _line("- le site du ministère ;"),
        _line("- le Labo de l'ESS ;"),
        _line("- l'étude du RTES de 2016 ;"),
    ]
    assert lead_with_focus(lines, ("2016",), lambda t: 1.0) == [
        lines[0],
        lines[3],
        lines[1],
        lines[2],
    ]
    assert lead_with_focus(lines, ("2016",), lambda t: 1.0, whole_lists=True) == lines
    assert lead_with_focus(lines, ("sit",), lambda t: 1.0)[1] == lines[1]  # already first


def test_a_card_must_state_the_year_the_question_names():
    six = _card("six", "Six PTCE : Auton'Hommes, Anima, Noeux Environnement.")
    noeux = _card("noeux", "Lauréat PTCE depuis janvier 2023, Noeux Environnement est accompagné.")
    assert _chosen(six, noeux, "Quel PTCE est lauréat depuis 2023 ?") is noeux
    assert _chosen(six, noeux, "Quels PTCE sont cités ?") is six


def _chosen_after(first, second, history: list[dict[str, str]], question: str):
    """The card `choose_card` picks for the follow-up `question` after `history`, when
    `first` matches a little better; and whether it was read as a follow-up."""
    import numpy as np

    from assistant.answer.cardmatch import CardIndex, CardMatch
    from assistant.answer.decide import choose_card

    cards = CardIndex([first, second], np.zeros((4, 4)))
    matches = [CardMatch(first, 1.0, 0.97, 0.5), CardMatch(second, 0.98, 0.96, 0.5)]
    topic = resolve_topic(question, history)
    return choose_card(matches, topic.analysis, topic, 0.9, cards), topic.followup


def test_which_one_picks_among_the_things_just_listed():
    reasons = _card("Raisons", "Soutenir un PTCE aide l'alimentation durable.")
    ecopole = _card("Audruicq", "L'Ecopôle alimentaire d'Audruicq relocalise l'alimentation.")
    history = [
        {"role": "user", "content": "Quels PTCE le guide cite-t-il ?"},
        {"role": "assistant", "content": "Auton'Hommes, Anima, l'Ecopôle alimentaire."},
    ]
    chosen, _ = _chosen_after(reasons, ecopole, history, "lequel travaille sur l'alimentation ?")
    assert chosen is ecopole


def test_english_questions_are_read_as_english():
    from assistant.answer.guard import looks_english

    assert looks_english("Can a municipality own shares in a PTCE?")
    assert not looks_english("Une commune peut-elle entrer au capital d'une SCIC ?")


def test_a_typed_followup_naming_only_common_words_keeps_the_conversations_subject():
    acte = _card("acte", "La subvention ACTE va de 15 000 à 60 000 € par projet.")
    somme = _card("somme", "Le Département de la Somme accompagne deux projets.")
    history = [
        {"role": "user", "content": "Le Département de la Somme a fait quoi pour les PTCE ?"},
        {"role": "assistant", "content": "Il a lancé un AMI en 2022."},
    ]
    chosen, followup = _chosen_after(acte, somme, history, "c'était quel montant par projet ?")
    assert followup  # « c'était… » points back at what was said
    # « projet » is in every card: it names no scheme; ACTE's amount is not the Somme's
    assert chosen is None


def test_what_the_users_own_authority_has_done_is_not_in_the_guide():
    from assistant.answer.decide import about_own_authority

    assert about_own_authority("Notre Département a-t-il mis en place un dispositif de soutien ?")
    assert about_own_authority("Est-ce que notre agglo a déjà financé un PTCE ?")
    assert not about_own_authority("Notre département a-t-il le droit de financer un PTCE ?")
    assert not about_own_authority("Que peut faire notre commune pour un PTCE ?")
    told = "Notre commune a un vieux bâtiment. Y a-t-il un précédent ailleurs ?"
    assert not about_own_authority(told)  # asks of others, in another sentence


def test_a_card_whose_title_names_what_is_asked_for_is_preferred():
    from assistant.answer.cards import Card

    def titled(card_id: str, topic: str) -> Card:
        return Card(card_id, topic, "", ("q",), (_line(f"{topic}."),))

    ways = titled("ways", "Comment soutenir un PTCE : les six leviers")
    reasons = titled("reasons", "Pourquoi soutenir un PTCE : les six raisons")
    asked = "Quelles sont toutes les raisons de soutenir un PTCE ?"
    assert _chosen(ways, reasons, asked) is reasons
    assert _chosen(ways, reasons, "Comment soutenir un PTCE ?") is ways  # nothing asked by name
    # a card about the authority the question names keeps its place
    departements = Card(
        "dep", "Le rôle des départements", "", ("q",), (_line("Rôle."),), "departement"
    )
    levers = titled("levers", "Comment soutenir un PTCE : les six leviers")
    assert (
        _chosen(departements, levers, "Par quels leviers un département agit-il ?") is departements
    )
    # nor when a general card comes first: the authority's card before the titled one
    import numpy as np

    from assistant.answer.cardmatch import CardIndex, CardMatch
    from assistant.answer.decide import choose_card
    from assistant.answer.followup import Topic
    from assistant.answer.question import analyse

    general = titled("general", "Le rôle des collectivités")
    cards = CardIndex([general, departements, levers], np.zeros((6, 4)))
    matches = [
        CardMatch(general, 1.0, 0.97, 0.5),
        CardMatch(departements, 0.995, 0.96, 0.5),
        CardMatch(levers, 0.99, 0.96, 0.5),
    ]
    for question, card in [
        ("Par quels leviers un département peut-il agir ?", departements),
        ("Je travaille dans un département. Par quels leviers agir ?", levers),  # ours, told
    ]:
        a = analyse(question)
        assert choose_card(matches, a, Topic(a.core, a, False), 0.9, cards) is card


def test_an_example_the_question_names_is_not_held_against_the_users_authority():
    import numpy as np

    from assistant.answer.cardmatch import CardIndex
    from assistant.answer.cards import Card
    from assistant.answer.question import analyse

    anima = Card(
        "anima", "Calais et le PTCE Anima", "", ("q",),
        (_line("Le PTCE Anima étudie deux projets."),), "commune", kind="example",
    )  # fmt: skip
    other = Card(
        "other", "Les exemples de la région", "", ("q",),
        (_line("Le PTCE Noeux est accompagné."),), "commune", kind="example",
    )  # fmt: skip
    cards = CardIndex([anima, other], np.zeros((4, 4)))
    asked = analyse(
        "Avec les élus de la CC on visite le Calaisis. Sur quoi le PTCE Anima travaille ?"
    )
    assert asked.actor == "epci"
    scores = {m.card.id: m.score for m in cards.match(np.zeros(4), asked)}
    # the example named in the sentence that asks loses nothing; another example does
    assert scores["anima"] > 0 and scores["other"] < 0


def test_a_card_whose_title_quotes_the_word_the_question_quotes_is_preferred():
    from assistant.answer.cards import Card

    four = Card("four", "Les 4 dimensions du sigle PTCE", "", ("q",), (_line("P, T, C, E."),))
    territorial = Card("t", "Le « Territorial » de PTCE", "", ("q",), (_line("Proximité."),))
    assert _chosen(four, territorial, "Que recouvre le mot « territorial » ?") is territorial
    assert _chosen(four, territorial, "Que recouvre le mot territorial ?") is four


def test_a_card_that_never_names_what_the_question_names_does_not_answer():
    from assistant.answer.cards import Card

    scic = Card("scic", "PTCE et SCIC", "", ("q",), (_line("Plusieurs PTCE sont des SCIC."),))
    ecopole = Card(
        "eco", "L'Ecopôle d'Audruicq", "", ("q",), (_line("L'Ecopôle Audruicq nourrit."),)
    )
    # « Audruicq » is no French word: named in lower case too
    assert _chosen(scic, ecopole, "l'ecopole d'audruicq est-il une SCIC ?") is None
    assert _chosen(scic, ecopole, "Un PTCE peut-il être une SCIC ?") is scic


def test_a_count_asked_of_a_place_needs_that_place():
    from assistant.answer.decide import places_stated
    from assistant.answer.question import analyse

    six = "Six PTCE des Hauts-de-France : Auton'Hommes, Anima…"
    assert not places_stated(analyse("Combien de PTCE dans le Pas-de-Calais ?"), six)
    assert places_stated(analyse("Combien de PTCE dans la Somme ?"), "2 dynamiques dans la Somme")
    # the whole region is the guide's; the place the user is in is context
    assert places_stated(
        analyse("Quel est le site de la CRESS Hauts-de-France ?"), "www.cresshdf.org"
    )
    assert places_stated(
        analyse("Je suis dans l'Oise. Combien de lauréats en 2021 ?"), "15 lauréats"
    )
    # the whole country is not the region
    assert not places_stated(analyse("Combien de PTCE existent en France ?"), six)
    assert places_stated(analyse("Combien de PTCE en France ?"), "Un réseau national de 200 PTCE")
    assert not places_stated(analyse("Quels PTCE dans l'Oise ?"), six)  # a list, too


def test_a_fact_asked_of_a_named_authority_needs_an_answer_that_names_it():
    from assistant.answer.cards import Card

    somme = Card("somme", "L'AMI de la Somme", "", ("q",), (_line("La Somme a lancé un AMI."),))
    other = Card("other", "Les départements", "", ("q",), (_line("Les départements agissent."),))
    assert _chosen(somme, other, "Le Département du Nord a-t-il un AMI PTCE ?") is None
    assert _chosen(somme, other, "Le Département de la Somme a-t-il un AMI PTCE ?") is somme
    # what such an authority can do is asked of any
    assert _chosen(somme, other, "Le Département du Nord peut-il lancer un AMI ?") is somme


def test_an_example_whose_title_names_what_is_asked_is_not_traded_for_a_list():
    import numpy as np

    from assistant.answer.cardmatch import CardIndex, CardMatch
    from assistant.answer.cards import Card
    from assistant.answer.decide import choose_card
    from assistant.answer.followup import Topic
    from assistant.answer.question import analyse

    anima = Card(
        "anima", "Calais et le PTCE Anima", "", ("q",),
        (_line("Les ADLC portent le PTCE Anima."),), kind="example",
    )  # fmt: skip
    six = Card("six", "Six PTCE", "", ("q",), (_line("Anima, Noeux, Audruicq…"),))
    others = [Card(f"o{i}", f"Autre {i}", "", ("q",), (_line(f"Texte {i}."),)) for i in range(6)]
    cards = CardIndex([anima, six, *others], np.zeros((16, 4)))
    matches = [CardMatch(anima, 1.0, 0.97, 0.5), CardMatch(six, 0.99, 0.96, 0.5)]

    def chosen(question):
        a = analyse(question)
        return choose_card(matches, a, Topic(a.core, a, False), 0.9, cards)

    assert chosen("PTCE Anima structure porteuse") is anima
    assert chosen("Quels PTCE dans la région ?") is six  # the example only illustrates


def test_calibrate_threshold_only_keeps_the_weights(
    tiny_settings, fake_embedder, tmp_path, monkeypatch
):
    import argparse
    import json

    from assistant.answer.calibrate import run_calibrate

    load = Pipeline.load
    monkeypatch.setattr(
        Pipeline, "load", classmethod(lambda cls, s, **k: load(s, embedder=fake_embedder, **k))
    )
    Pipeline.load(tiny_settings, progress=False)  # builds the index
    fitted = AnswerabilityModel(("support",), (0.5,), (0.1,), (2.0,), 0.0, 0.9, "fitted here")
    fitted.save(tiny_settings.index_dir / "answerability.json")
    questions = tmp_path / "q.jsonl"
    rows = [
        ("Combien la commune verse-t-elle au jardin ?", True),
        ("Qui gère le jardin ?", True),
        ("Quelle est la recette de la soupe ?", False),
    ]
    questions.write_text(
        "".join(
            json.dumps({"id": f"q{i:03d}", "question": q, "history": [], "category": "x",
                        "answerable": ok, "evidence": [], "facts": [], "split": "tune"}) + "\n"
            for i, (q, ok) in enumerate(rows, 1)
        ),
        encoding="utf-8",
    )  # fmt: skip
    args = argparse.Namespace(
        questions=questions, dev="none", negatives=0, min_precision=0.9, threshold_only=True,
        quiet=True,
    )  # fmt: skip
    assert run_calibrate(args, tiny_settings) == 0
    again = AnswerabilityModel.load(tiny_settings.index_dir / "answerability.json")
    assert again.weights == fitted.weights and again.threshold != fitted.threshold
    assert "threshold chosen again" in again.fitted_on


def test_of_the_lines_stating_the_figure_the_one_on_the_question_leads(pipeline):
    from assistant.answer.cards import Card

    card = Card(
        "taux", "Le taux de la subvention du jardin", "", ("q",),
        (
            Line("Cette aide est limitée à 40 % des dépenses.", "Capped at 40 %.", ("x",)),
            Line("En zone rurale, l'aide monte à 60 % des dépenses.", "Rural: 60 %.", ("x",)),
        ),
    )  # fmt: skip
    chunks = pipeline.index.chunks
    quote = chunks[0].text.split(".")[0]
    card = Card(
        card.id, card.topic, "", ("q",), tuple(Line(ln.fr, ln.en, (quote,)) for ln in card.lines)
    )
    rural, _ = compose_card(card, "fr", chunks, wants="percentage", focus=("taux", "rural"),
                            weight=lambda t: 1.0)  # fmt: skip
    assert rural.startswith("En zone rurale")
    plain, _ = compose_card(card, "fr", chunks, wants="percentage", focus=("taux",),
                            weight=lambda t: 1.0)  # fmt: skip
    assert plain.startswith("Cette aide")  # « taux » is the kind of answer, not its subject


def test_a_followup_on_il_is_about_what_the_previous_answer_named():
    from assistant.answer.cards import Card

    somme = Card("somme", "L'AMI de la Somme", "", ("q",), (_line("La Somme a lancé un AMI."),))
    amiens = Card(
        "amiens", "Le PTCE d'Amiens", "", ("q",),
        (_line("Via l'AMI de la Somme, le PTCE d'Amiens compte 40 structures."),),
    )  # fmt: skip
    history = [
        {"role": "user", "content": "Un exemple de PTCE lancé grâce à l'AMI de la Somme ?"},
        {"role": "assistant", "content": "Le PTCE d'Amiens « Une ville idéale »."},
    ]
    chosen, _ = _chosen_after(somme, amiens, history, "il regroupe combien de structures ?")
    assert chosen is amiens


def test_asked_for_an_example_a_general_card_leads_with_the_case_it_names():
    lines = [
        _line("Une collectivité peut aider à l'investissement d'un PTCE."),
        _line("Elle peut faciliter l'accès au foncier."),
        _line("La Communauté d'Agglomération Béthune-Bruay aide Noeux Environnement."),
    ]
    assert lead_with_example(lines) == [lines[2], lines[0], lines[1]]
    assert lead_with_example(lines[:2]) == lines[:2]  # no case named: as it is


def test_a_figure_asked_of_a_year_must_be_that_years():
    from assistant.answer.decide import figure_of_year
    from assistant.answer.question import analyse

    said = (
        "L'AMI a été lancé en mai 2021, après deux saisons (2013 et 2016), renouvelé en 2022.\n"
        "15 lauréats ont reçu 100 000 euros."
    )
    assert figure_of_year(analyse("Combien de lauréats en 2021 ?"), said)
    assert not figure_of_year(analyse("Combien de lauréats en 2016 ?"), said)  # 2021's
    assert not figure_of_year(analyse("Quel montant pour les lauréats de 2013 ?"), said)
    extract = "Après deux saisons (2013 et 2016), un AMI lancé en 2021 a aidé 108 projets."
    assert not figure_of_year(analyse("Combien de projets retenus en 2016 ?"), extract)
    assert figure_of_year(analyse("Combien de projets aidés en 2021 ?"), extract)


def test_a_detail_of_a_scheme_is_not_answered_by_its_rate_or_amount():
    from assistant.answer.details import details_stated

    rate = "La subvention est limitée à 50 % des dépenses éligibles."
    for asked in (
        "Quelles dépenses sont éligibles à ACTE ?",
        "Dans les dépenses éligibles, peut-on mettre le salaire de l'animateur ?",
        "What expenses are eligible under ACTE?",
        "Est-ce que les dépenses d'investissement sont éligibles à ACTE ?",
        "ACTE prend-il en charge l'achat de bâtiments ?",
    ):
        assert not details_stated(asked, rate), asked
    assert details_stated("ACTE couvre quel pourcentage des dépenses éligibles ?", rate)
    assert details_stated("Quelles dépenses sont éligibles ?", "Les salaires sont éligibles.")
    # how it is paid, booked or applied for: details a rate or an amount does not give
    amount = "La subvention est comprise entre 15 000 et 60 000 €."
    for asked in (
        "Elle est versée d'un coup ou en plusieurs tranches ?",
        "On l'impute en section de fonctionnement ou d'investissement ?",
        "Sur quelle plateforme on dépose un dossier ACTE ?",
    ):
        assert not details_stated(asked, amount), asked
    assert details_stated("Quel est le montant de la subvention ?", amount)
    assert details_stated("Quelle subvention a été versée en 2023 ?", amount)  # when, not how


def test_what_comes_next_needs_a_year_after_the_guides_own():
    from assistant.answer.decide import years_stated

    guide = "Ce guide date de mars 2025, après la rencontre de Carvin."
    assert not years_stated("Quelle est la date de la prochaine rencontre ?", guide, "2025-03")
    assert years_stated("La prochaine saison est prévue quand ?", "En 2026.", "2025-03")
    # the future tense asks what comes next too
    assert not years_stated("Le site démonstrateur ouvrira quand ?", guide, "2025-03")
    assert not years_stated("Le site ouvre quand ?", "Lauréat depuis janvier 2023.", "2025-03")
    assert years_stated("Depuis quand Noeux est-il lauréat ?", "Depuis janvier 2023.", "2025-03")
    # « la semaine prochaine » in what the user tells is not what they ask
    told = "Je les vois la semaine prochaine. La charte date de quand ?"
    assert years_stated(told, "La charte de 2014, actualisée en juillet 2021.", "2025-03")


def test_how_a_grant_is_taxed_is_a_detail_the_epci_tax_status_does_not_give():
    from assistant.answer.details import details_stated

    said = "Ce dispositif est à destination des EPCI (à fiscalité propre) de + de 15 000 habitants."
    for asked in (
        "La subvention de l'agglo est-elle soumise à TVA ? Le guide parle-t-il de la fiscalité des PTCE ?",
        "Is the ACTE grant subject to VAT?",
    ):
        assert not details_stated(asked, said), asked
    assert details_stated("Quels EPCI peuvent demander ACTE ?", said)  # no tax asked


def test_asking_why_support_gets_the_reasons_before_an_authority_s_role():
    from assistant.answer.cards import Card

    epci = Card("epci", "Le rôle des EPCI pour un PTCE", "", ("q",), (_line("Rôle."),), "epci")
    reasons = Card("why", "Pourquoi soutenir un PTCE (les 6 raisons)", "", ("q",), (_line("R."),))
    assert _chosen(epci, reasons, "Pourquoi notre agglo soutiendrait-elle un PTCE ?") is reasons
    assert _chosen(epci, reasons, "Comment une agglo peut-elle aider un PTCE ?") is epci


def test_a_minimum_or_a_second_grant_is_not_answered_by_a_count_or_an_amount():
    from assistant.answer.details import details_stated

    forty = "En 2023, ce collectif compte environ 40 structures."
    assert not details_stated("Combien de membres faut-il au minimum pour faire un PTCE ?", forty)
    assert not details_stated("What is the minimum number of members of a PTCE?", forty)
    assert details_stated("Combien de structures compte le collectif d'Amiens ?", forty)
    amount = "La subvention ACTE est comprise entre 15 000 et 60 000 €."
    again = "Un projet qui a déjà touché ACTE peut-il redemander une deuxième subvention ?"
    assert not details_stated(again, amount)
    assert details_stated("Quel est le seuil minimal de subvention ACTE ?", amount)
    # told, not asked: « c'est épuisant de tout redemander chaque année »
    told = (
        "C'est épuisant de tout redemander chaque année. Quel outil pour financer dans la durée ?"
    )
    assert details_stated(told, "Une convention pluriannuelle d'objectifs, par exemple.")


def test_a_new_meeting_is_one_after_the_guide():
    from assistant.answer.decide import _NEXT

    assert _NEXT.search("Le RTES organise-t-il une nouvelle rencontre sur les PTCE en 2025 ?")
    assert not _NEXT.search("La rencontre de Carvin, c'était quand ?")


def test_a_question_pointing_back_is_on_the_topic_the_sentence_before_names():
    import numpy as np

    from assistant.answer.cardmatch import CardIndex
    from assistant.answer.decide import _on_topic
    from assistant.answer.question import analyse

    acte = _card("acte", "La subvention ACTE va de 15 000 à 60 000 €.")
    cards = CardIndex(
        [acte, _card("x", "Rien."), _card("y", "Rien."), _card("z", "Rien.")], np.zeros((4, 4))
    )
    told = "Un collectif de SCIC compte sur l'ACTE de la Région."
    assert _on_topic(acte, analyse(f"{told} Combien peuvent-ils espérer au maximum ?"), cards)
    assert not _on_topic(acte, analyse("Combien peuvent-ils espérer au maximum ?"), cards)


def test_second_and_minimum_asked_of_other_things_are_no_detail():
    from assistant.answer.decide import _NEXT
    from assistant.answer.details import details_stated

    amount = "La subvention ACTE est comprise entre 15 000 et 60 000 €."
    assert details_stated("Un PTCE peut-il accueillir une deuxième collectivité ?", amount)
    assert details_stated("Can we be refunded for travel costs?", amount)
    assert not details_stated("Est-il possible de redemander ACTE une deuxième fois ?", amount)
    assert not details_stated("Faut-il un minimum d'entreprises pour un PTCE ?", amount)
    assert not _NEXT.search("Quand est sortie la nouvelle édition de la charte ?")  # 2021
    assert _NEXT.search("Y aura-t-il de nouvelles rencontres sur les PTCE ?")


def test_why_support_is_not_any_mention_of_support():
    from assistant.answer.decide import _WHY_SUPPORT

    assert _WHY_SUPPORT.search("Quel intérêt pour une commune de soutenir un PTCE ?")
    for said in (
        "Why did the Region come back to PTCEs?",
        "Pourquoi le soutien de l'État s'est-il arrêté ?",
        "Why was Anima supported by Calais?",
    ):
        assert not _WHY_SUPPORT.search(said), said


def test_who_may_is_not_who_did_in_any_form():
    from assistant.pipeline import WHO

    assert not WHO.search("Qui est-ce qui peut déposer un dossier ACTE ?")
    assert not WHO.search("C'est qui qui peut candidater ?")


@pytest.mark.parametrize(
    "said", ["Peux-tu m'aider ?", "Qu'en penses-tu ?", "bonjour", "Can you help me?"]
)
def test_a_message_that_names_no_subject_gets_an_invitation_not_an_answer(pipeline, said):
    a = pipeline.ask(said)
    assert a.abstained and a.reason == "no_question" and not a.sources
    assert a.answer.startswith(("Posez-moi une question", "Ask me a question"))


def test_a_short_question_with_a_subject_or_a_conversation_is_read_as_usual(pipeline):
    assert pipeline.ask("Combien la commune donne-t-elle au jardin ?").reason != "no_question"
    assert pipeline.ask("C'est quoi le principe ?").reason != "no_question"  # a word of its own
    history = [
        {"role": "user", "content": "Combien la commune donne-t-elle au jardin ?"},
        {"role": "assistant", "content": "3 000 euros par an [1]."},
    ]
    assert pipeline.ask("Pourquoi ?", history).reason != "no_question"  # about what was said


def _index_with_fillers(*cards):
    """A card index of `cards` and six unrelated ones (so that no name is common to all)."""
    import numpy as np

    from assistant.answer.cardmatch import CardIndex
    from assistant.answer.cards import Card

    fillers = [Card(f"o{i}", f"Autre {i}", "", ("q",), (_line(f"Texte {i}."),)) for i in range(6)]
    return CardIndex([*cards, *fillers], np.zeros((2 * (len(cards) + 6), 4)))


def test_an_example_that_alone_states_the_year_asked_is_kept_over_a_general_card():
    from assistant.answer.cardmatch import CardMatch
    from assistant.answer.cards import Card
    from assistant.answer.decide import choose_card
    from assistant.answer.question import analyse

    example = Card(
        "audruicq", "L'Ecopôle d'Audruicq", "", ("q",),
        (_line("En 2010, la Communauté de communes a acquis un espace agricole vacant."),),
        kind="example",
    )  # fmt: skip
    general = Card(
        "interco", "Le rôle des intercommunalités", "", ("q",),
        (_line("Les intercommunalités soutiennent les PTCE par leur politique foncière."),),
    )  # fmt: skip
    cards = _index_with_fillers(example, general)
    matches = [CardMatch(example, 0.97, 0.96, 0.5), CardMatch(general, 0.96, 0.95, 0.5)]
    said = "Une intercommunalité a-t-elle acquis un terrain pour un pôle ? En quelle année ?"
    topic = resolve_topic(said, [])
    assert choose_card(matches, topic.analysis, topic, 0.9, cards) is example
    assert analyse("Le guide cite-t-il une commune qui a fait ça ?").wants == "example"


def test_a_list_of_the_steps_of_a_project_counts_no_projects():
    from assistant.answer.kinds import answers_type

    steps = "Intervenir aux étapes du projet :\n- gestation ;\n- émergence ;\n- développement."
    assert not answers_type("count", steps, "ptce")  # « combien de PTCE ? »
    assert answers_type(
        "count", "Deux projets sont à l'étude :\n- une place ;\n- une friche.", "ptce"
    )


def test_a_follow_up_that_switches_to_an_actor_gets_that_actors_card_when_close():
    from assistant.answer.cards import Card

    general = Card("roles", "Le rôle des collectivités", "", ("q",),
                   (_line("Les collectivités ont un rôle important."),))  # fmt: skip
    communes = Card("communes", "Le rôle des communes", "", ("q",),
                    (_line("Les communes sont des partenaires de proximité."),), actor="commune")  # fmt: skip
    history = [
        {"role": "user", "content": "Quels rôles pour les collectivités dans les PTCE ?"},
        {"role": "assistant", "content": "Les collectivités ont un rôle important [1]."},
    ]
    assert _chosen_after(general, communes, history, "et pour une commune ?") == (communes, True)


def test_what_a_question_sets_aside_is_not_searched_for(pipeline):
    a = pipeline.ask("À part la subvention, comment la commune aide-t-elle le jardin ?")
    assert "à part" not in a.query.lower() and "subvention" not in a.query.lower()


def test_a_card_held_back_for_its_words_answers_when_the_guide_answers(pipeline, monkeypatch):
    import assistant.pipeline as module
    from assistant.answer.cardmatch import CardMatch
    from assistant.answer.decide import choose_card
    from assistant.answer.question import analyse

    card = pipeline.cards.by_id["financement"]
    said = "Combien la commune donne-t-elle au jardin ?"
    topic = resolve_topic(said, [])
    close_but_other_words = [CardMatch(card, 0.95, 0.95, 0.0)]  # no word of the question
    assert choose_card(close_but_other_words, analyse(said), topic, 0.9, pipeline.cards) is None
    assert (
        choose_card(close_but_other_words, analyse(said), topic, 0.9, pipeline.cards, words=False)
        is card
    )
    # in the pipeline: held back first, then taken once the passages are judged to answer
    calls = []

    def held_back(matches, analysis, topic, minimum, cards, *, words=True):
        calls.append(words)
        return None if words else card

    monkeypatch.setattr(module, "choose_card", held_back)
    monkeypatch.setattr(type(pipeline), "_answers", lambda self, *a, **k: True)
    a = pipeline.ask(said)
    assert a.method == "card" and a.card == "financement" and calls[-1] is False


def test_an_acronym_is_spelled_out_by_the_words_in_brackets_whose_initials_it_is():
    from assistant.answer.acronym import meanings_asked, spelled_form

    text = (
        "Le collectif est porté par l'Association Développement Durable Solidaire (ADDs) de "
        "Montigny. La Ville a fait appel aux Ateliers de la citoyenneté (ADLC). Le COORACE "
        "et le MES y ont contribué."
    )
    chunks = [Chunk("c1", "d", "Guide", (), text, 0, len(text))]
    assert spelled_form("ADDs", chunks)[1] == "Association Développement Durable Solidaire"
    assert spelled_form("ADLC", chunks)[1] == "Ateliers de la citoyenneté"
    assert spelled_form("COORACE", chunks) is None  # named, never spelled out
    assert meanings_asked("COORACE ça veut dire quoi ? le sigle n'est pas développé") == ["COORACE"]
    assert meanings_asked("SRADDET et SRDEII en toutes lettres ?") == ["SRADDET", "SRDEII"]
    assert meanings_asked("Que signifie la lettre C de PTCE ?") == []  # one of its letters
