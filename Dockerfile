# The PTCE assistant as one image: the converted embedding model and the index are built
# into it, so a container starts offline in ~15 s. Build and run:
#   docker build -t ptce-assistant .
#   docker run -p 7860:7860 -v ptce-data:/data ptce-assistant
# Several replicas, a reverse proxy and PostgreSQL: docs/deployment.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    GRADIO_ANALYTICS_ENABLED=False \
    ASSISTANT_CACHE_DIR=/app/cache \
    ASSISTANT_INDEX_DIR=/app/index \
    ASSISTANT_DATA_DIR=/data \
    ASSISTANT_HOST=0.0.0.0 \
    ASSISTANT_PORT=7860

# CPU torch first, so that nothing pulls a multi-GB CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
    || pip install torch==2.13.0

RUN useradd --create-home --uid 10001 assistant \
    && mkdir -p /app /data \
    && chown assistant:assistant /app /data
WORKDIR /app

# Dependencies before the code, so editing the code does not reinstall them.
COPY --chown=assistant:assistant pyproject.toml README.md ./
COPY --chown=assistant:assistant assistant ./assistant
# Editable, so the project root (corpus/, index/) stays /app.
RUN pip install -e ".[postgres,editors]"

COPY --chown=assistant:assistant app.py ./
COPY --chown=assistant:assistant corpus ./corpus
COPY --chown=assistant:assistant widget ./widget

USER assistant
# Convert the bundled model and build the index now, not at every start.
RUN python -m assistant build

VOLUME ["/data"]
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:7860/healthz', timeout=4).status != 200)"

CMD ["python", "app.py", "--quiet"]
