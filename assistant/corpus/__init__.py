"""The corpus stage: the documents the assistant answers from, as text with provenance.
Its modules, from a web address to chunks:

    addresses   which addresses `fetch` and `add` may reach
    fetch       polite download of the guide's linked resources (`fetch`, `add`)
    extract     HTML, PDF, DOCX and Markdown to Markdown with front matter
    load        reads the Markdown documents and their front matter; the corpus hash
    chunking    structure-aware chunks, each with its document, section path and span
"""
