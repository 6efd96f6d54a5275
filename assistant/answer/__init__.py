"""The answer stage: from a question and its passages to a cited answer, or a decline.
Its modules, roughly in the order a question meets them:

    guard          input cleaning, injection and unknown-name checks
    question       question analysis: core, context, actor, kind of answer
    kinds          the kinds of answer a question wants and what states them
    acronym        « que veut dire ESS ? »: an acronym spelled out as the guide writes it
    followup       follow-ups by topic
    history        cleans the conversation history every entry point receives
    cards          answer cards: loading, `cards check`, coverage
    cardmatch      matching a question to a card
    compose        a card's answer with its citations
    decide         which card answers, the user's context, guide metadata, contacts
    details        details of a scheme the guide may not give (eligible expenses, tax…)
    answerability  the calibrated answer-or-decline model
    calibrate      `python -m assistant calibrate`: fits that model
    extractive     the extractive answerer
    support        is a sentence supported by its passages
    verify         checks an LLM answer's sentences against the passages they cite
    llm            the optional LLM answerer, with fallback
    prompts        what the LLM is told
"""
