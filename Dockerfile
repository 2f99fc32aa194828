# The crossdept workers. Built by docker-compose.yml; the engine is docker/engine.Dockerfile.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CROSSDEPT_DATA_DIR=/var/lib/crossdept

# The documents' Chinese font (workers.shared.documents.CJK_FONT_PACKAGE): without it every
# hand-over stops at its first checklist check and no PDF can be rendered.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY workers ./workers
# The organisation and calendar files the diagrams' properties and CROSSDEPT_ORGANISATION_FILE name
# (org/...), relative to the worker's folder: without them `crossdept worker` refuses to start.
COPY org ./org
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /var/lib/crossdept --create-home crossdept

USER crossdept
CMD ["crossdept", "worker"]
