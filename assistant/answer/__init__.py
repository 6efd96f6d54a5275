"""The answer stage: from a question and its passages to a cited answer, or a decline.
Its modules, roughly in the order a question meets them:

    guard          input cleaning, injection and unknown-name checks
    question       question analysis: core, context, actor, kind of answer
    followup       follow-ups by topic
    history        cleans the conversation history every entry point receives
    cards          answer cards: loading, `cards check`, coverage
    cardmatch      matching a question to a card
    compose        a card's answer with its citations
    decide         which card answers, the user's context, guide metadata, contacts
    answerability  the calibrated answer-or-decline model
    calibrate      `python -m assistant calibrate`: fits that model
    extractive     the extractive answerer
    support        is a sentence supported by its passages
    verify         checks an LLM answer's sentences against the passages they cite
    llm            the optional LLM answerer, with fallback
    prompts        what the LLM is told
"""
