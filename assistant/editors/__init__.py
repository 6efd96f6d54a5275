"""The editors' loop: what readers asked that the guide does not answer, given back to the
people who write the guide.

    feedback  the feedback store (thumbs, comments, traces) the chat writes and these read
    privacy   masks e-mail addresses and phone numbers before anything is stored
    log       the editors' log: declined questions and thumbs-down, in the feedback store
    guide     the guide's sentences and sections closest to a question (index + embedder)
    grouping  pure clustering of question vectors (scikit-learn), the most central member
    digest    rows -> ranked groups with label, examples, section, thumbs-down share, comments
    report    the digest as Markdown, CSV, JSON and a PNG bar chart
    drafts    a card skeleton for one group (`cards draft GROUP_ID`)
    wording   every sentence these features show to readers and editors
    cli       `python -m assistant digest`, `purge` and `cards draft`
"""
