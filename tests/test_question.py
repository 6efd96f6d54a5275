"""Question analysis: the user's context apart, the actor, the kind of answer, typed checks."""

from __future__ import annotations

import pytest

from assistant.answer.decide import without_context, years_stated
from assistant.answer.kinds import answers_type
from assistant.answer.question import about_the_guide, analyse, asked_noun, topic_terms


def test_an_introduction_is_context_not_question():
    a = analyse(
        "Bonjour, je suis chargé de mission dans une communauté de communes de 9 000 habitants "
        "dans l'Oise. Peut-on déposer un dossier ACTE ?"
    )
    assert a.core == "Peut-on déposer un dossier ACTE ?"
    assert "9 000 habitants" in a.context and a.context_actor == "epci" and a.actor == ""


def test_an_introductory_clause_is_split_off():
    a = analyse("Je suis élue d'une commune de l'Aisne, comment aider un PTCE ?")
    assert a.core == "Comment aider un PTCE ?" and a.context_actor == "commune"


@pytest.mark.parametrize(
    ("question", "actor"),
    [
        ("Comment un département peut-il financer l'animation ?", "departement"),
        ("Et pour une communauté de communes ?", "epci"),  # not "commune"
        ("Que peut faire une mairie ?", "commune"),
        ("Quel rôle pour la Région ?", "region"),
        ("Qu'est-ce qu'un PTCE ?", ""),
    ],
)
def test_actor(question, actor):
    assert analyse(question).actor == actor


@pytest.mark.parametrize(
    ("question", "wants"),
    [
        ("Quel est le montant de l'ACTE ?", "amount"),
        ("et chacune a touché combien ?", "amount"),
        ("Quel pourcentage des dépenses ?", "percentage"),
        ("Quel est le délai pour déposer ?", "deadline"),
        ("Combien de communes ont un PTCE ?", "count"),
        ("Combien de raisons, et lesquelles ?", "list"),
        ("Combien de participants, et quelles collectivités ?", "count"),  # two questions
        ("nombre de projets financés par ACTE", "count"),
        ("nombre total ptce hauts de france", "count"),
        ("Quel est le nombre de PTCE en France ?", "count"),
        ("Quel est le dispositif qui remplace l'AMI ?", ""),  # a relative « qui »
        # the situation told is not what is asked; what is asked may be told beside it
        ("Notre DSP arrive à échéance. Quelles modalités d'achat ?", ""),
        ("Je cherche le montant de l'ACTE. Vous avez ça ?", "amount"),
        ("Sur combien d'années est versé le financement ?", "duration"),
        ("Quel est le numéro de téléphone de la CRESS ?", "phone"),
        ("Quelle est l'adresse e-mail du RTES ?", "email"),
        ("Qui préside la CRESS ?", "person"),
        ("Le financement paie-t-il la totalité du budget ?", ""),  # yes/no, not an amount
        ("Dans l'AMI de la Somme, qu'est-ce qui a été financé ?", ""),  # the Somme, not a sum
    ],
)
def test_wants(question, wants):
    assert analyse(question).wants == wants


# The four digit cases of issue 11: a number of another kind does not answer.
@pytest.mark.parametrize(
    ("wants", "text", "ok"),
    [
        ("amount", "les EPCI de + de 15 000 habitant.e.s", False),
        ("amount", "La subvention est comprise entre 15 000 et 60 000€", True),
        ("date", "les EPCI de + de 15 000 habitant.e.s", False),
        ("date", "lancé en mai 2021", True),
        ("percentage", "Points de RepèreSS du RTES n°3", False),
        ("percentage", "limitée à 50% des dépenses éligibles", True),
        ("count", "la relance d'une politique nationale en 2021", False),
        ("count", "permettant à 108 projets de bénéficier", True),
        ("phone", "Plus d'informations sur www.cresshdf.org", False),
        ("contact", "Plus d'informations sur www.cresshdf.org", True),
        ("duration", "sur une durée de deux ans", True),
    ],
)
def test_typed_answers(wants, text, ok):
    assert answers_type(wants, text) is ok


def test_a_count_needs_the_thing_counted():
    counted = analyse("Combien de communes ont un PTCE ?").counted
    assert not answers_type("count", "le RTES réunit près de 200 collectivités", counted)
    assert answers_type("count", "7 associations composent le PTCE", "associ")


def test_context_names_and_numbers_do_not_count_as_the_question():
    assert "12 000" not in without_context("Une CC de 12 000 habitants dans l'Aisne peut-elle ?")
    assert "Aisne" not in without_context("Une CC de l'Aisne peut-elle déposer ?")
    # …unless the place is what is asked about
    assert "Nord" in without_context("Combien de PTCE dans le Nord ?", "count")


def test_years_and_guide_questions():
    assert not years_stated("Combien de lauréats en 2023 ?", "15 lauréats en 2021")
    assert years_stated("Qu'a fait la Somme en 2022 ?", "En 2022, le Conseil Départemental")
    # what comes next is not answered by a past year
    assert not years_stated("C'est quand la prochaine réunion ?", "lancé en 2021", "2025-03")
    assert not years_stated("When is the next call?", "launched in May 2021", "2025-03")
    assert years_stated("C'est quand la prochaine réunion ?", "le 12 juin 2025", "2025-03")
    assert years_stated("C'est quand la réunion ?", "lancé en 2021", "2025-03")
    assert about_the_guide("Quand et par qui ce guide a-t-il été publié ?")
    assert not about_the_guide("Qui porte le dispositif ACTE ?")


def test_topic_terms_leave_out_what_kind_of_answer_is_wanted():
    assert topic_terms("Quel est le montant de l'AMI de la Somme ?") == {"ami", "somm"}


def test_an_indirect_question_after_an_introduction():
    a = analyse(
        "Technicienne dans une communauté de communes du Ternois, mon président me demande "
        "comment financer l'animation d'un PTCE"
    )
    assert a.core == "Comment financer l'animation d'un PTCE" and "Ternois" in a.context
    assert "Ternois" not in without_context(
        "Je suis technicienne dans une CC du Montreuillois, comment aider un PTCE ?"
    )


def test_misspelt_question_words_are_not_the_focus():
    from assistant.answer.question import focus_terms

    assert "coment" not in focus_terms("coment aider un pole de coopération ?")
    assert "maison" in focus_terms("la maison des artistes")  # close to « mais », still a word


@pytest.mark.parametrize(
    ("question", "wants"),
    [
        ("À qui s'adresse le dispositif ACTE ?", ""),  # a verb, not an address
        ("Quelle est l'adresse du site de la CRESS ?", "contact"),
        ("Quand une commune soutient un PTCE, que peut-elle faire ?", ""),  # a conjunction
        ("l'AMI a été lancé quand ?", "date"),
        ("Un grand nombre de collectivités sont-elles concernées ?", ""),
        ("Faut-il désigner un élu référent ESS ?", ""),
        ("Qui est le référent PTCE à la Région ?", "person"),
    ],
)
def test_words_that_only_look_like_a_typed_question(question, wants):
    assert analyse(question).wants == wants


@pytest.mark.parametrize(
    "question",
    [
        "Qui peut bénéficier de l'AMI selon le guide ?",
        "Quelle est la date limite de l'AMI d'après ce guide ?",
        "Qui doit signer le document de candidature ?",
    ],
)
def test_questions_that_mention_the_guide_are_not_about_it(question):
    assert not about_the_guide(question)


def test_look_alikes_of_regions_places_and_people():
    from assistant.answer.question import OTHER_REGIONS

    assert not OTHER_REGIONS.search("Quand a lieu la réunion de lancement du PTCE ?")
    assert OTHER_REGIONS.search("Un PTCE à La Réunion ?")
    assert analyse("Faut-il joindre un budget au dossier ?").wants == ""
    assert analyse("Faut-il créer un site internet ?").wants == ""
    assert analyse("Quel rôle joue le président de la région ?").wants == ""
    assert analyse("Faut-il faire un état des lieux ?").actor == ""


def test_a_sentence_saying_what_the_user_wants_stays_in_the_question():
    a = analyse(
        "Chargé de mission dans une communauté de communes de l'Aisne de 18 000 habitants : "
        "nos élus veulent aider un PTCE à acheter du matériel partagé. Est-ce prévu ?"
    )
    assert a.core.startswith("Nos élus veulent aider un PTCE à acheter du matériel partagé.")
    assert "18 000 habitants" in a.context and "18 000" not in a.core


def test_a_question_leaning_on_the_sentence_before_takes_it_in():
    a = analyse("Nous avons une ancienne école vide. Est-ce utile pour un PTCE ?")
    assert a.core == "Nous avons une ancienne école vide. Est-ce utile pour un PTCE ?"
    a = analyse("Je suis maire d'une commune de 2 000 habitants. Est-ce que la Région aide ?")
    assert a.core == "Est-ce que la Région aide ?" and a.actor == "region"


def test_who_the_user_is_is_context_even_with_a_verb_of_their_job():
    a = analyse("Je dirige une structure d'insertion à Maubeuge. Quelle forme juridique choisir ?")
    assert a.core == "Quelle forme juridique choisir ?" and "Maubeuge" in a.context


def test_a_clause_that_asks_indirectly_is_not_an_introduction():
    a = analyse("Mes élus me demandent à quoi sert l'aide ACTE : c'est pour quel type de projet ?")
    assert "ACTE" in a.core and "ACTE" not in a.context


def test_the_source_a_question_cites_is_not_what_it_asks_about():
    from assistant.answer.question import set_aside

    asked = "Quels projets a-t-il d'après la publication du RTES et de la CRESS ?"
    assert "RTES" not in set_aside(asked) and "projets" in set_aside(asked)
    assert "CRESS" not in set_aside("ce que la publication RTES-CRESS dit du collectif amiénois")
    # a question about the guide itself keeps it
    assert "document" in set_aside("la rencontre de Carvin dont ce document est issu")


def test_an_introduction_of_two_clauses_is_context():
    a = analyse("Je suis nouvel élu et je découvre le sujet : c'est quoi un PTCE exactement ?")
    assert a.core == "C'est quoi un PTCE exactement ?" and "découvre" in a.context


def test_what_the_user_heard_of_is_the_topic_not_who_they_are():
    a = analyse(
        "Je suis au Département. J'ai entendu que la Somme l'avait fait. Combien de projets ?"
    )
    assert "Somme" in a.core and "Somme" not in a.context and "Département" in a.context


@pytest.mark.parametrize(
    ("question", "noun"),
    [
        ("Sur quels critères les lauréats ont-ils été choisis ?", "criter"),
        ("Quelles règles comptables appliquer ?", "regl"),
        ("Quels sont les trois rôles du RTES ?", ""),  # a number word is not what is asked
        ("Quel texte de loi définit les PTCE ?", ""),  # generic: how, not what
        ("Quelle forme juridique ?", ""),
        ("Sinon, quelle solution pour nous ?", ""),  # how, not a thing
        ("Comment aider un PTCE ?", ""),
        ("Quel est le seuil minimal de subvention ACTE ?", ""),  # a figure is asked for
        ("Quelles sont toutes les raisons de soutenir un PTCE ?", "raison"),
        # what a thing is like: the guide's answer need not use the word
        ("Quelles sont les conditions pour bénéficier d'ACTE ?", ""),
        ("Quelles sont les particularités du PTCE d'Amiens ?", ""),
        ("Quelle est la vocation du RTES ?", ""),
    ],
)
def test_asked_noun(question, noun):
    assert asked_noun(question) == noun


@pytest.mark.parametrize(
    ("question", "wants"),
    [
        ("Quelle est la durée d'une convention pluriannuelle ?", "duration"),
        ("ça dure combien ?", "duration"),
        ("Comment financer un PTCE dans la durée ?", ""),  # « dans la durée »: long-term
        ("Comment s'appelle l'animateur du PTCE d'Amiens ?", "person"),
        ("Comment s'appelle le PTCE de Calais ?", ""),  # a name, not a person to reach
        # who holds a post now, or after someone: not what a guide of March 2025 can say
        ("Et aujourd'hui, qui est le ministre de l'ESS ?", "person"),
        ("Qui a succédé à Marlène Schiappa ?", "person"),
        ("Qui a renouvelé l'AMI ?", ""),  # the guide names her
        ("Which PTCEs operate in the Oise?", "list"),
        ("Quelles communes de la MEL soutiennent un PTCE ?", "list"),  # members of a set
        ("What's the maximum grant rate for a rural project?", "percentage"),
        ("who runs it?", ""),  # the body that carries it: an organisation, no way to reach
    ],
)
def test_more_kinds_of_answer(question, wants):
    assert analyse(question).wants == wants


def test_a_count_is_answered_by_a_number_of_the_same_kind_of_thing():
    said = "Il a permis à 2 dynamiques naissantes de se structurer."
    assert answers_type("count", said, counted_as_stem("PTCE"))
    assert answers_type("count", said, counted_as_stem("projets"))
    assert not answers_type("count", said, counted_as_stem("communes"))
    assert not answers_type(
        "count", "En 2021, les communes ont signé.", counted_as_stem("communes")
    )


def test_examples_do_not_count_all_there_are():
    said = "Six exemples de PTCE des Hauts-de-France :\n- Auton'Hommes ;\n- Anima."
    assert not answers_type("count", said, counted_as_stem("PTCE"))
    assert answers_type("count", said, counted_as_stem("exemples"))
    listed = "Six PTCE des Hauts-de-France :\n- Auton'Hommes ;\n- Anima."
    assert answers_type("count", listed, counted_as_stem("PTCE"))


def counted_as_stem(word: str) -> str:
    return analyse(f"combien de {word} ?").counted


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("La mairie de Saint-Omer peut-elle aider un PTCE ?", "peut-elle aider un PTCE"),
        ("Le Grand Reims peut-il soutenir un PTCE ?", "peut-il soutenir un PTCE"),
        ("Notre CC Pévèle Carembault veut aider un PTCE", "veut aider un PTCE"),
    ],
)
def test_the_name_of_the_authority_that_asks_is_context(question, kept):
    out = without_context(question)
    assert kept in out and not any(n in out for n in ("Omer", "Reims", "Pévèle"))


def test_a_place_that_is_the_point_of_the_question_stays():
    assert "Reims" in without_context("Quel est le PTCE de Reims ?")
    assert "Reims" in without_context("Combien de PTCE dans la métropole de Reims ?", "count")
    assert "Occitanie" in without_context("La Région Occitanie a-t-elle un dispositif ?")


@pytest.mark.parametrize(
    "question",
    ["je bosse à la CAPSO, on peut financer l'animation ?", "Maire de Fruges : comment aider ?"],
)
def test_more_ways_users_say_who_they_are(question):
    assert not any(n in without_context(analyse(question).core) for n in ("CAPSO", "Fruges"))


def test_who_the_user_is_may_come_after_the_question():
    a = analyse("Le reste du budget doit venir d'où ? Je suis trésorière d'une SCOP.")
    assert a.core == "Le reste du budget doit venir d'où ?" and "SCOP" in a.context


def test_a_question_on_a_pronoun_takes_the_sentence_it_points_to():
    a = analyse(
        "Chargé de mission à la Région, je dois présenter la charte des PTCE. Elle date de quand ?"
    )
    assert a.core == "Je dois présenter la charte des PTCE. Elle date de quand ?"
    assert a.context == "Chargé de mission à la Région" and a.wants == "date"


def test_population_and_the_region_name_are_not_focus_terms():
    a = analyse("Une expérience des Hauts-de-France pour une comcom de 10 000 habitants ?")
    assert not {"10", "000", "habit", "haut", "franc"} & set(a.focus)


def test_a_question_with_no_topic_of_its_own_takes_the_sentence_before():
    a = analyse(
        "Je travaille à la CRESS et un élu me demande combien la Région peut mettre sur un "
        "projet ACTE. Je lui dis quoi ?"
    )
    assert a.core.startswith("Combien la Région peut mettre sur un projet ACTE.")


def test_a_misspelt_cue_is_not_an_asked_noun():
    assert asked_noun("ami de la somme c quelle anee") == ""


def test_what_a_named_authority_did_is_about_that_authority():
    assert "Perpignan" in without_context("Quelle subvention verse la commune de Perpignan ?")


@pytest.mark.parametrize(
    ("question", "wants"),
    [
        ("et il donnait combien par projet ?", "amount"),
        ("ça donne combien de lauréats ?", "count"),
        ("la région verse combien d'euros ?", "amount"),
        ("Combien chacune a reçu ?", "amount"),
        ("combien ont-ils obtenu ?", "amount"),
        ("combien de projets ont reçu un soutien ?", "count"),
        ("savez-vous combien la Région a attribué à ce PTCE ?", "amount"),
        ("Une commune peut-elle détenir plus de la moitié du capital ?", "percentage"),
    ],
)
def test_a_verb_of_giving_before_combien_asks_for_an_amount(question, wants):
    assert analyse(question).wants == wants


def test_je_me_demande_si_is_not_the_question():
    a = analyse("Je me demande si on peut aider un PTCE au démarrage ?")
    assert a.core == "On peut aider un PTCE au démarrage ?" and a.context == ""
    assert "facon" not in analyse("De quelles façons aider un PTCE ?").focus


def test_a_count_is_a_number_of_the_thing_counted_not_a_number_near_it():
    counted = analyse("combien de projets ?").counted
    assert answers_type("count", "Il a permis à 108 projets de bénéficier d'aide.", counted)
    assert not answers_type("count", "après deux saisons d'appels à projets", counted)
    assert analyse("Quel mois a-t-il été lauréat ?").wants == "date"


def test_a_deadline_is_not_the_year_something_happened():
    assert analyse("What is the application deadline for the Somme call?").wants == "deadline"
    assert analyse("Jusqu'à quand peut-on candidater ?").wants == "deadline"
    assert not answers_type("deadline", "En 2022, la Somme a lancé un AMI.")
    assert answers_type("deadline", "Les dossiers sont à déposer avant le 15 mars.")


def test_a_quoted_word_is_in_focus_even_when_generic():
    from assistant.answer.question import focus_terms

    assert "pol" in focus_terms("Comment le guide définit-il le « Pôle » dans PTCE ?")
    assert "pol" not in focus_terms("Comment le guide définit-il un pôle ?")
    assert "koi" not in focus_terms("c koi le coorace")


def test_what_a_question_sets_aside_is_not_its_focus():
    from assistant.answer.question import analyse

    focus = analyse("Au-delà des subventions ACTE, comment la Région peut-elle aider ?").focus
    assert "acte" not in focus and "subvent" not in focus and "region" in focus
    assert "entier" in analyse("Un PTCE est-il un partenaire à part entière ?").focus


def test_english_function_words_are_not_focus():
    from assistant.answer.question import analyse

    focus = analyse("Is there anything useful a commune can do for a PTCE?").focus
    assert set(focus) == {"commune"}


def test_a_thin_question_takes_in_the_situation_before_it():
    from assistant.answer.question import analyse

    a = analyse(
        "Notre ville a un vieux bâtiment communal à retaper et on se demande si un PTCE "
        "pourrait s'en charger. Il y a un précédent dans la région ?"
    )
    assert "bâtiment" in a.core and a.wants == "example" and a.actor == "commune"
    # who the user is stays context
    a = analyse("Je suis maire d'une commune de 500 habitants. Quel montant pour ACTE ?")
    assert a.core == "Quel montant pour ACTE ?" and a.wants == "amount"


def test_a_clause_after_a_semicolon_and_veut_savoir_are_read_as_the_question():
    from assistant.answer.question import analyse

    a = analyse(
        "Je suis en charge de l'ESS dans une agglo du Hainaut ; mon président veut savoir si "
        "une intercommunalité peut faire autre chose que financer le démarrage. Un exemple ?"
    )
    assert a.core.startswith("Une intercommunalité") and a.actor == "epci"


def test_en_etat_is_not_the_state():
    from assistant.answer.question import analyse

    assert analyse("Un PTCE peut-il remettre en état une école ?").actor == ""
    assert analyse("Que finance l'État ?").actor == "etat"


def test_the_grand_public_is_not_a_publication_question():
    assert about_the_guide("Qui a publié ce guide ?")
    assert not about_the_guide("Le guide cite-t-il un PTCE connu du grand public ?")


def test_an_introduction_joined_by_et_nous_is_context():
    from assistant.answer.question import analyse

    a = analyse(
        "Je suis chargé de mission dans une agglomération de l'Oise et nous voudrions lancer "
        "un appel à projets. Une collectivité de la région l'a-t-elle déjà fait ?"
    )
    assert a.core.startswith("Nous voudrions") and a.context_actor == "epci"
    assert a.actor == ""  # « une collectivité de la région » names a place, not the Région


def test_a_person_the_user_names_as_company_is_context():
    assert "Dupont" not in without_context("Avec Mme Dupont, élue à Arras, comment aider un PTCE ?")


def test_the_situation_the_user_describes_stays_in_the_question():
    from assistant.answer.question import analyse

    a = analyse(
        "Notre PTCE est installé dans un quartier politique de la ville. "
        "A-t-on droit à un taux plus élevé pour ACTE ?"
    )
    assert "quartier" in a.core and a.asked and "quarti" not in a.asked
    # a new job is who the user is, not their situation
    a = analyse(
        "Je viens de prendre un poste de chargée de mission ESS dans une CC. Qui contacter ?"
    )
    assert a.core == "Qui contacter ?"


def test_a_first_person_question_is_about_the_users_own_authority():
    from assistant.answer.question import analyse

    assert analyse("Je suis DGS d'une CA. Comment aider notre économie locale ?").actor == "epci"
    assert analyse("Je suis DGS d'une CA. Quel est le montant d'ACTE ?").actor == ""
    assert analyse("ca marche comment un PTCE ?").actor == ""  # « ça », not a CA
    # « on » is the user too, when they said who they are
    assert analyse("On est une petite mairie : on sert à quoi pour un pôle ?").actor == "commune"


def test_concretement_is_not_a_request_for_an_example():
    from assistant.answer.question import analyse

    assert analyse("Concrètement, la mairie peut faire quoi ?").wants == ""
    assert analyse("un exemple concret ?").wants == "example"


def test_only_the_asking_sentence_is_checked_for_unknown_names():
    from assistant.answer.question import asked_part

    core = "Je suis trésorière d'une SCOP qui porte le projet. Le reste vient d'où ?"
    assert asked_part(core) == "Le reste vient d'où ?"
    assert asked_part("La SCOP, c'est quoi ?") == "La SCOP, c'est quoi ?"


def test_a_count_is_asked_with_y_a_t_il_too_and_one_bullet_is_not_a_list():
    a = analyse("Combien y a-t-il de PTCE reconnus dans les Hauts-de-France ?")
    assert a.wants == "count" and a.counted == "ptce"
    assert not answers_type("count", "- Pour créer des emplois non délocalisables.", "emplois")
    assert answers_type("count", "Ils sont :\n- Anima ;\n- Noeux Environnement.", "")


def test_a_website_asked_for_is_a_contact_but_a_site_to_develop_is_not():
    assert analyse("quel site pour les appels à projets ESS ?").wants == "contact"
    assert analyse("Quel montant pour aménager le site de Noeux Environnement ?").wants == "amount"


def test_the_asking_part_of_a_long_question():
    from assistant.pipeline import _asking

    assert _asking("On a une vieille école vide. Il y a un précédent ?") == "Il y a un précédent ?"
    long = "On veut monter un pôle avec l'agglo : quelle forme juridique ont-ils choisie ?"
    assert _asking(long) == "quelle forme juridique ont-ils choisie ?"
    assert _asking("Qu'est-ce qu'un PTCE ?") == "Qu'est-ce qu'un PTCE ?"


def test_a_role_before_a_comma_is_context_whatever_follows():
    a = analyse(
        "Élue d'une commune de 4 500 habitants près d'Arras, le RTES regroupe combien de collectivités ?"
    )
    assert a.core == "Le RTES regroupe combien de collectivités ?" and a.context_actor == "commune"
    a = analyse("Élue d'une commune de 4 500 habitants près d'Arras, rôle région ptce")
    assert a.core == "Rôle région ptce" and a.actor == "region"
    # a situation before the comma stays asked
    assert "école" in analyse("Notre commune a une école vide, un PTCE peut-il la rénover ?").core


def test_asking_whom_to_call_or_for_a_name_wants_a_person():
    assert (
        analyse("Qui dois-je appeler à la Somme, vous avez un nom et un numéro ?").wants == "person"
    )
    assert analyse("j'aimerais avoir un nom à contacter").wants == "person"
    assert analyse("Vous avez un nom de PTCE dans l'alimentation ?").wants != "person"


def test_a_period_asked_for_is_a_duration():
    assert (
        analyse("Sur quelle période la Somme a-t-elle financé les dynamiques ?").wants == "duration"
    )


def test_a_terse_max_or_min_asks_for_a_number():
    assert analyse("scic collectivité capital max").wants == "quantity"
    assert analyse("acte taux max ?").wants == "percentage"  # the more precise kind first


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Quel est le budget annuel du RTES ?", "amount"),
        ("Quel est le chiffre d'affaires d'Auton'Hommes ?", "amount"),
        ("Quelle est la part maximale du capital qu'une commune peut détenir ?", "percentage"),
        ("Quel est le numéro de la CRESS ?", "phone"),
        ("Quelle est l'adresse postale du RTES ?", "postal"),
        # not a figure asked for
        ("Notre PTCE a un petit budget, comment trouver des financements ?", ""),
        ("Exemple de PTCE qui a fait grimper le chiffre d'affaires de ses membres ?", "example"),
        ("Which PTCE helped its members raise their turnover?", ""),
    ],
)
def test_more_ways_of_asking_for_a_figure_or_a_contact(question, kind):
    assert analyse(question).wants == kind


def test_a_postal_address_needs_a_street_or_a_postcode():
    assert not answers_type("postal", "Plus d'informations sur www.rtes.fr")
    assert answers_type("postal", "RTES, 7 rue de la Paix, 75002 Paris")


def test_a_list_answers_a_count_only_when_it_lists_the_things_counted():
    listing = "Pour aller plus loin :\n- www.esshdf.org : bourse d'emplois ;\n- www.rtes.fr"
    assert not answers_type("count", listing, "emploi")  # a list of websites, not of jobs
    reasons = "Pourquoi soutenir un PTCE (les 6 raisons)\nSoutenir permet de :\n- a ;\n- b"
    assert answers_type("count", reasons, "raison")


def test_how_many_local_authorities_counts_authorities():
    assert analyse("Roughly how many local authorities belong to the RTES?").counted == "authorit"


def test_concrete_actions_are_no_request_for_an_example():
    assert analyse("Pourquoi financer l'animation plutôt que des actions concrètes ?").wants == ""
    assert analyse("un cas concret dans la région ?").wants == "example"
    assert analyse("Un exemple concret ?").wants == "example"


def test_an_amount_asked_of_a_budget_or_a_fee_needs_an_answer_about_it():
    from assistant.answer.question import amount_of_stated

    grant = "La subvention ACTE est comprise entre 15 000 et 60 000 €."
    assert not amount_of_stated("amount", "Quel est le montant total de l'enveloppe ACTE ?", grant)
    assert amount_of_stated("amount", "Quel est le montant de la subvention ACTE ?", grant)
    assert amount_of_stated("amount", "Quel budget ?", "Un budget de 10 000 € est prévu.")
    # the grant each one got, asked as « quelle enveloppe chacun »: no total, no fee
    each = "15 lauréats ont reçu 100 000 euros chacun."
    assert amount_of_stated("amount", "Combien de lauréats, avec quelle enveloppe chacun ?", each)
    assert not amount_of_stated("amount", "Quelle somme la Région verse-t-elle par an ?", grant)
    assert analyse("RTES cotisation annuelle").wants == "amount"


def test_the_politique_de_la_ville_is_a_policy_not_the_town():
    asked = "On a la politique de la ville. Par quelles politiques une interco agit-elle ?"
    assert analyse(asked).actor == "epci"
    assert analyse("Que peut faire une ville pour un PTCE ?").actor == "commune"


def test_a_law_of_1901_is_no_date_and_the_name_of_a_facilitator_is_a_person():
    assert not answers_type("date", "La CRESS, association loi 1901, fédère les entreprises.")
    assert answers_type("date", "La charte date de 2014.")
    assert analyse("Quel est le nom de l'animateur du PTCE d'Amiens ?").wants == "person"


def test_a_sentence_telling_what_someone_asks_us_is_an_asking_sentence():
    from assistant.answer.question import asked_part

    core = "On est six associations. L'agglo nous demande sur quel texte repose la notion de PTCE."
    assert asked_part(core) == "sur quel texte repose la notion de PTCE."  # not who asks


def test_who_asks_is_not_what_is_asked():
    from assistant.answer.question import asked_part

    core = "Une collectivité de l'Aisne me demande quels arguments présenter. Lesquels donner ?"
    assert "Aisne" not in asked_part(core)


def test_an_indirect_question_is_what_asks_and_an_empty_one_is_not():
    from assistant.answer.question import asked_part

    core = (
        "On réfléchit à un projet de mobilité. Mon DGS veut savoir dans quelle fourchette la "
        "Région pourrait nous aider. Vous avez l'info ?"
    )
    assert asked_part(core).startswith("dans quelle fourchette")
    two = (
        "Pourquoi parle-t-on d'économique alors que ce sont des assos ? Quel modèle de ressources ?"
    )
    assert asked_part(two) == two  # both ask: a short question is not an empty one
    assert (
        analyse("On n'a pas le budget pour une réhabilitation classique. Qui a fait ça ?").wants
        != "amount"
    )


def test_contacting_someone_later_is_no_request_for_a_contact():
    told = "Avant de contacter qui que ce soit, je voudrais savoir quelle structure porte ce pôle."
    assert analyse(told).wants != "contact"
    assert analyse("Qui contacter pour monter un PTCE ?").wants == "contact"
    assert analyse("Qui est la coordinatrice ? J'aimerais la contacter.").wants == "contact"


def test_the_kinds_module_examples_hold():
    import doctest

    from assistant.answer import kinds

    assert doctest.testmod(kinds).failed == 0


def test_a_local_authority_is_not_the_guide_s_author():
    assert about_the_guide("Who are the authors of this guide?")
    assert not about_the_guide(
        "What are the ways a local authority can support a PTCE, according to the guide?"
    )


def test_but_is_no_topic_in_either_language():
    from assistant.answer.question import analyse

    assert "but" not in analyse("ACTE, dans quel but ?").focus
    assert "but" not in analyse("We are small, but can we apply for ACTE?").focus


@pytest.mark.parametrize(
    ("question", "wants", "counted"),
    [
        ("acte durée max financement", "duration", ""),
        ("nb salariés ptce anima calais", "count", "salari"),
        ("What's the typical salary for a PTCE coordinator post?", "amount", ""),
        ("Quel salaire prévoir pour un poste d'animateur ?", "amount", ""),
        ("RTES membership fee for an agglomeration", "amount", ""),
        # whether a salary may be funded is no amount asked
        ("peut-on financer le salaire de l'animateur ?", "", ""),
    ],
)
def test_terse_and_salary_questions_ask_their_kind(question, wants, counted):
    from assistant.answer.question import analyse

    found = analyse(question)
    assert (found.wants, found.counted) == (wants, counted)


@pytest.mark.parametrize(
    "question",
    [
        "et aujourd'hui c'est qui le ministre en charge de l'ESS ?",
        "C'est toujours Marlène Schiappa qui est en charge de l'ESS au gouvernement ?",
        "Qui est l'élu régional en charge de l'ESS aux Hauts-de-France actuellement ?",
        "Quel est le nom du chargé de mission ESS qui suit Noeux Environnement ?",
        "nom du contact cress hdf pour les ptce ?",
        "La CRESS Hauts-de-France, qui la préside actuellement ?",
        "et aujourd'hui, c'est quel ministre qui est en charge de l'ESS ?",
        "Quelle présidente de région soutient les PTCE en ce moment ?",
        "terme PTCE : nom du chercheur qui l'a proposé ?",
    ],
)
def test_who_holds_a_post_now_or_by_name_asks_for_a_person(question):
    from assistant.answer.question import analyse

    assert analyse(question).wants == "person"


def test_a_reported_question_and_a_minimum_number_are_read_as_asked():
    from assistant.answer.question import analyse

    found = analyse(
        "Nous voulons signer une CPO avec notre PTCE. Notre service juridique demande quelle "
        "est la durée maximale légale d'une CPO. Le guide répond-il à ça ?"
    )
    assert found.wants == "duration" and "cpo" in found.asked
    found = analyse("Un élu pense qu'il faut un nombre minimum de membres. C'est vrai ?")
    assert (found.wants, found.counted) == ("count", "membr")
    assert analyse("Qui est François Theret ?").wants == ""  # named in the guide


def test_the_actor_asked_about_is_the_one_named_where_it_is_asked():
    from assistant.answer.question import analyse

    found = analyse(
        "On nous dit que le développement économique, c'est la Région et les EPCI. Par quelles "
        "politiques un département peut-il intervenir auprès des PTCE ?"
    )
    assert found.actor == "departement"
    assert analyse("La Région finance-t-elle les PTCE ?").actor == "region"


def test_a_reported_yes_no_question_still_asks():
    from assistant.answer.question import analyse, split_context

    said = "Notre élue se demande si notre agglo devrait adhérer au RTES. Elle hésite."
    core, context = split_context(said)
    assert core.startswith("Notre agglo devrait adhérer au RTES ?") and context == "Notre élue"
    assert "rte" in analyse(f"{said} Combien de collectivités en font partie ?").asked
    # asked to do something is no question
    asked = "On me demande de réunir des documents. Le guide cite-t-il des sites ?"
    assert split_context(asked) == (asked, "")
    # « une demande » is a noun: nothing reported
    said = "Nous avons fait une demande quand la Région a lancé l'AMI. Combien de temps ?"
    assert split_context(said) == (said, "")


def test_a_reported_wh_question_keeps_its_own_words():
    from assistant.answer.question import split_context

    core, _ = split_context("Mon DGS me demande comment financer l'animation d'un PTCE.")
    assert core == "Comment financer l'animation d'un PTCE."


@pytest.mark.parametrize(
    "question",
    [
        "Quel est le dispositif qui est ouvert aujourd'hui ?",  # a relative « qui »
        "C'est toujours la Région qui finance les PTCE ?",  # no person's name
        "Is the Region still in charge of economic development?",
    ],
)
def test_a_relative_qui_or_an_authority_asks_for_no_person(question):
    from assistant.answer.question import analyse

    assert analyse(question).wants != "person"


def test_qd_is_quand():
    from assistant.answer.question import analyse

    assert analyse("noeux environnement le site démonstrateur ouvre qd ?").wants == "date"
    assert analyse("qd est né le terme PTCE ?").wants == "date"
    assert analyse("Comment financer un PTCE et quand même garder la main ?").wants == ""
    assert (
        analyse("Une commune peut aider, et quand Anima est en difficulté, que faire ?").wants == ""
    )


def test_a_salary_asked_in_other_words_is_an_amount():
    from assistant.answer.question import analyse

    assert analyse("Quelle rémunération pour un animateur de PTCE ?").wants == "amount"
    assert analyse("What salaries do PTCE coordinators get?").wants == "amount"


def test_an_acknowledgement_is_no_topic():
    from assistant.answer.question import analyse

    assert analyse("D'accord. Et ce pôle a-t-il été retenu ?").focus == ("retenu",)


def test_questions_listed_after_a_colon_are_asked_and_kept():
    from assistant.answer.question import analyse, asked_part

    said = (
        "Bonjour, pour une fiche destinée à nos élus, j'ai besoin de trois infos sur Emergence "
        "Hénin-Carvin : à quelle date il a été reconnu PTCE émergent, quelle structure le porte, "
        "et combien d'associations il regroupe. Le vice-président voudrait les inviter à notre "
        "prochain comité de pilotage."
    )
    found = analyse(said)
    assert "Hénin-Carvin : à quelle date" in found.core and found.wants == "date"
    assert "prochain" not in asked_part(found.core)  # the next meeting is the user's own


def test_an_adverb_is_not_the_noun_asked_for_and_a_decade_is_no_year():
    from assistant.answer.decide import years_stated
    from assistant.answer.question import asked_noun

    assert asked_noun("quels sont précisément les acteurs impliqués ?") == "acteur"
    assert asked_noun("quelles sont concrètement les étapes ?") == "etap"
    assert years_stated("Une mode des années 2010 ? Et depuis ?", "appels de 2013, relance en 2021")
    assert not years_stated("Une mode des années 2010 ?", "relancée en 2021")  # none of that decade
    assert not years_stated("Et en 2016 ?", "relancée en 2021")


def test_the_guides_authors_cited_as_the_source_are_not_asked_about():
    from assistant.answer.kinds import asks_for
    from assistant.answer.question import set_aside

    said = "Quels projets le pôle a-t-il à l'étude d'après la fiche RTES/CRESS ?"
    assert "RTES" not in set_aside(said) and "CRESS" not in set_aside(said)
    assert asks_for("date", "Quel montant, et quand a lieu la prochaine relève ?")
    assert not asks_for("date", "Quel montant pour les lauréats ?")


def test_a_list_counts_what_its_own_line_introduces_not_what_the_title_names():
    from assistant.answer.kinds import answers_type

    who = (
        "Qui peut déposer un projet ACTE\nL'ACTE est à destination :\n- des entreprises de "
        "l'ESS ;\n- des EPCI de + de 15 000 habitant.e.s ;\n- d'un acteur territorial."
    )
    assert not answers_type("count", who, "projet")  # « combien de projets financés ? »
    listed = "Projets à l'étude\nDeux projets sont à l'étude :\n- une place ;\n- une friche."
    assert answers_type("count", listed, "projet")
    titled = "Les projets du pôle\n- une place ;\n- une friche."  # no line introduces it
    assert answers_type("count", titled, "projet")


def test_the_guide_named_as_the_source_is_no_topic():
    from assistant.answer.question import without_the_guide

    said = "Un PTCE cite le guide RTES/CRESS. Quelles formes d'intervention sur le foncier énumère-t-il ?"
    assert "guide" not in without_the_guide(said, said) and "foncier" in without_the_guide(
        said, said
    )
    said = (
        "Je reprends l'argumentaire du Points de RepèrESS : quelles raisons de soutenir un PTCE ?"
    )
    assert "RepèrESS" not in without_the_guide(said, said)
    for kept in (
        "C'est quoi ce guide ?",  # about the guide itself
        "Qui a publié ce guide et quand ?",
        "Le Points de RepèrESS n°3 sur les SCIC dit quoi du capital des collectivités ?",
        "Quels documents faut-il fournir pour candidater à ACTE avec notre interco ?",
        "Combien de guides sur les PTCE la CRESS a-t-elle publiés dans la région ?",
        "Quelles publications du RTES traitent des PTCE en milieu rural ?",
        "Quels reperes juridiques pour un PTCE en SCIC avec une commune ?",
    ):
        assert without_the_guide(kept, kept) == kept


def test_a_name_of_the_guide_holding_an_actors_word_is_no_actor():
    from assistant.answer.question import actor_of

    assert actor_of("Une ville idéale c'est quoi ?") == ""
    assert actor_of("La Communauté de communes de la Région d'Audruicq") == "epci"
    assert actor_of("La Ville de Calais a fait appel au PTCE") == "commune"


def test_the_guide_named_in_the_sentence_before_a_pointing_question_is_no_name_asked():
    import numpy as np

    from assistant.answer.cardmatch import CardIndex
    from assistant.answer.cards import Card, Line
    from assistant.answer.decide import _naming
    from assistant.answer.question import analyse

    def card(i: str, text: str) -> Card:
        return Card(i, i, "", ("q",), (Line(text, text, (text,)),))

    guide = card("guide", "Ce Points de RepèrESS du RTES présente les PTCE.")
    reasons = card("raisons", "Six raisons de soutenir un PTCE.")
    cards = CardIndex([guide, reasons, *(card(f"o{n}", f"Texte {n} des PTCE.") for n in range(6))],
                      np.zeros((8, 4)))  # fmt: skip
    said = (
        "Je prépare une note pour nos élus communautaires. Je voudrais reprendre l'argumentaire "
        "du Points de RepèrESS. Pouvez-vous lister les raisons qu'il avance pour soutenir un PTCE ?"
    )
    from assistant.answer.cardmatch import CardMatch

    pool = [CardMatch(reasons, 0.95, 0.94, 0.2), CardMatch(guide, 0.93, 0.92, 0.2)]
    assert _naming(pool, analyse(said), cards)[0].card is reasons


def test_a_pointing_question_is_read_with_the_sentence_it_points_at():
    from assistant.answer.decide import with_antecedent

    said = (
        "Je suis élue régionale. On m'a dit que la Région a un dispositif pour les PTCE. "
        "Comment s'appelle-t-il, et à qui s'adresse-t-il ?"
    )
    asking = "Comment s'appelle-t-il, et à qui s'adresse-t-il ?"
    assert with_antecedent(said, asking).startswith("On m'a dit que la Région a un dispositif")
    own = "Quel est le montant de la subvention ACTE pour une interco rurale ?"  # names its own
    assert with_antecedent(f"On m'a parlé d'ACTE. {own}", own) == own


@pytest.mark.parametrize(
    "asked",
    [
        "acte dépenses éligibles liste",
        "Lesquelles de ces dépenses sont éligibles à ACTE ?",
        "donc le salaire de l'animateur c'est une dépense éligible à ACTE ou pas ?",
        "L'investissement matériel est-il pris en compte ?",
    ],
)
def test_which_expenses_are_eligible_is_not_answered_by_a_rate(asked):
    from assistant.answer.details import details_stated

    rate = "La subvention est comprise entre 15 000 et 60 000 € et limitée à 50 % des dépenses éligibles."
    assert not details_stated(asked, rate)
    assert details_stated("Quel pourcentage des dépenses éligibles ACTE finance-t-il ?", rate)


def test_who_holds_the_post_now_in_other_words_asks_for_a_person():
    from assistant.answer.question import analyse

    assert analyse("quel ministre a renouvelé l'AMI ?").wants != "person"  # not who holds it now
    assert analyse("C'est toujours elle qui porte le dispositif ?").wants != "person"  # the Région
    assert analyse("La collectivité qui la préside peut-elle financer ?").wants != "person"

    assert (
        analyse("c'est toujours elle qui a l'ESS ? sinon c'est qui le ministre ?").wants == "person"
    )
    assert analyse("Qui occupe ce poste actuellement au gouvernement ?").wants == "person"
    assert analyse("C'est toujours la Région qui finance ?").wants != "person"


def test_an_authority_asked_a_fact_of_is_read_in_its_own_clause():
    from assistant.answer.decide import _authority_asked

    asked = "Le Département du Nord a-t-il lui aussi un dispositif, et comment y candidater ?"
    assert _authority_asked(asked) == {"nord"}
    assert _authority_asked("La mairie de Fruges peut-elle aider un PTCE ?") == set()
    assert (
        _authority_asked("Comment la Communauté de communes du Ternois peut-elle aider ?") == set()
    )
