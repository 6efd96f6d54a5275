"""The evaluation harness: `python -m assistant eval`.

    data      questions file -> `Question`s; evidence strings -> spans of the corpus documents
    metrics   pure scoring functions (ranking, facts, citations, abstention, latency)
    baselines the LangChain-tutorial system compared against the product
    runner    run every system on the same questions, score each question, aggregate
    report    Markdown + JSON + PNG report, headline table, gate check
    cli       `run_eval(args, settings)`, called by the `eval` subcommand

Nothing here loads a model at import time; LangChain, FAISS and matplotlib are imported
inside the functions that use them.
"""
