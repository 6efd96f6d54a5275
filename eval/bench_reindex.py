"""Re-indexing after a one-document change vs a full build, with the real model:

    python eval/bench_reindex.py [--docs 3] [--out eval/reports/bench_reindex.json]

Copies the committed corpus (the guide, not corpus/fetched/) to a temporary folder, adds
`--docs` synthetic French documents the size of a linked page, builds the index from
scratch (`reuse=False`), changes one sentence of one synthetic document, and builds again
(incremental: only that document is embedded). Prints both times, the ratio and how many
vectors each build embedded. The model is loaded once, before either timing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TOPICS = [
    ("ressourcerie", "une ressourcerie", "réemploi des objets"),
    ("mobilite", "un garage solidaire", "mobilité des demandeurs d'emploi"),
    ("alimentation", "une légumerie", "restauration collective locale"),
    ("energie", "une coopérative d'énergie", "rénovation des logements"),
]


def synthetic_document(i: int) -> str:
    """About 6,000 characters in the guide's register, with headings and a list."""
    slug, what, field = TOPICS[i % len(TOPICS)]
    n = 12 + 7 * i
    sections = []
    for k, heading in enumerate(["Origine", "Activités", "Gouvernance", "Financement"]):
        paragraphs = [
            f"Le pôle n°{i} s'est constitué autour de {what} pour répondre aux besoins du "
            f"territoire en matière de {field}. En {2014 + k}, il réunissait {n + k} structures "
            f"de l'économie sociale et solidaire et {k + 2} collectivités partenaires.",
            f"La communauté de communes a financé pendant {k + 2} ans un poste d'animation, "
            f"tandis que les membres mutualisaient des locaux, un véhicule et des compétences "
            f"comptables. Les élus participent au comité de pilotage trois fois par an.",
            f"- Coopération entre {what} et les entreprises du bassin de vie\n"
            f"- Formation de {n * 2} personnes éloignées de l'emploi\n"
            f"- Partenariat avec un lycée professionnel sur la {field}",
            f"Le bilan {2020 + k} fait état de {n * 3} emplois consolidés et d'un chiffre "
            f"d'affaires cumulé de {n * 41}000 euros. Les partenaires publics y voient un "
            f"levier de développement local durable et de coopération territoriale.",
        ]
        sections.append(f"## {heading}\n\n" + "\n\n".join(paragraphs))
    return (
        f'---\ndoc_id: synth-{slug}-{i}\ntitle: "Pôle {i} : {what}"\npublisher: "Banc d\'essai"\n'
        f'date: "2026-11"\nkind: web-page\n---\n\n# Pôle {i} : {what}\n\n'
        + "\n\n".join(sections)
        + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=3, help="synthetic documents to add")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()

    from assistant.search.embed import load_embedder
    from assistant.search.index import build_index
    from assistant.settings import Settings

    with tempfile.TemporaryDirectory(prefix="bench-reindex-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for path in (ROOT / "corpus").glob("*.md"):  # the committed corpus only
            shutil.copy(path, corpus / path.name)
        for i in range(args.docs):
            (corpus / f"synth-{i}.md").write_text(synthetic_document(i), encoding="utf-8")
        settings = replace(Settings.from_env(), corpus_dir=corpus, index_dir=Path(tmp) / "index")
        t = time.perf_counter()
        embedder = load_embedder(settings, progress=False)
        load_s = time.perf_counter() - t

        t = time.perf_counter()
        full = build_index(settings, embedder, progress=False, reuse=False)
        full_s = time.perf_counter() - t

        changed = corpus / "synth-0.md"
        changed.write_text(
            changed.read_text(encoding="utf-8").replace("Les élus participent", "Les élus siègent"),
            encoding="utf-8",
        )
        t = time.perf_counter()
        incremental = build_index(settings, embedder, progress=False)
        incremental_s = time.perf_counter() - t

    report = {
        "model": full.manifest["embedding_model"],
        "documents": full.manifest["counts"]["documents"],
        "chunks": full.manifest["counts"]["chunks"],
        "sentences": full.manifest["counts"]["sentences"],
        "model_load_s": round(load_s, 2),
        "full_build_s": round(full_s, 2),
        "full_embedded_vectors": full.manifest["reuse"]["embedded_vectors"],
        "incremental_build_s": round(incremental_s, 2),
        "incremental_embedded_vectors": incremental.manifest["reuse"]["embedded_vectors"],
        "incremental_reused_vectors": incremental.manifest["reuse"]["reused_vectors"],
        "ratio_incremental_over_full": round(incremental_s / full_s, 3),
    }
    for key, value in report.items():
        print(f"{key:<32} {value}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
