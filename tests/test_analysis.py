from assistant.acronyms import acronyms_in, expand
from assistant.analysis import analyze, fold, words


def test_fold_strips_accents_and_case():
    assert fold("Économique Élu.e.s Cœur") == "economique elu.e.s cœur"


def test_elisions_are_removed():
    assert words("L'ESS, qu'est-ce qu'un PTCE d’aujourd’hui") == [
        "ess",
        "est",
        "ce",
        "un",
        "ptce",
        "aujourd",
        "hui",
    ]


def test_stop_words_are_dropped_and_words_stemmed():
    assert analyze("Les pôles et les collectivités") == ["pol", "collectivit"]
    assert analyze("la collecte, en commun, les communes") == ["collect", "commun", "commune"]


def test_singular_plural_and_accents_meet():
    assert analyze("économique")[0] == analyze("Economiques")[0]
    assert analyze("territoriaux") == analyze("territorial")


def test_acronym_found_from_its_long_form_and_back():
    assert acronyms_in("les Pôles Territoriaux de Coopération Economique") == ["PTCE"]
    assert acronyms_in("Qu'est-ce qu'un PTCE ?") == ["PTCE"]
    assert "pôle territorial de coopération économique" in expand("un PTCE")


def test_common_words_are_not_taken_for_acronyms():
    assert acronyms_in("mon ami a signé un acte") == []
    assert acronyms_in("l'AMI et le dispositif ACTE") == ["AMI", "ACTE"]


def test_expand_leaves_text_without_acronyms_unchanged():
    assert expand("bonjour") == "bonjour"
