# coachbot: a small image that runs as a non-root user.
# Build stage: install coachbot (not editable, as README's "pip install ." does) into a venv.
FROM python:3.11.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md manifest.yml ./
COPY examples ./examples
COPY bot ./bot
COPY conversations ./conversations
COPY prompts ./prompts
COPY storage ./storage
RUN python -m venv /opt/coachbot && /opt/coachbot/bin/pip install .

# Run stage: the venv only, no compilers or sources.
FROM python:3.11.11-slim-bookworm
RUN groupadd --gid 10001 coachbot \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin coachbot \
    && mkdir /data && chown coachbot:coachbot /data
COPY --from=build /opt/coachbot /opt/coachbot
ENV PATH=/opt/coachbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PORT=3000 \
    COACHBOT_LOG_FORMAT=json \
    DATABASE_URL=sqlite:////data/coachbot.db
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
# Alive = /healthz answers; docker-compose.yml asks /readyz (database, migrations, scheduler).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
STOPSIGNAL SIGTERM
CMD ["coachbot", "run"]
