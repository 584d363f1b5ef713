# syntax=docker/dockerfile:1
# The registry's image: the project installed in a virtualenv, run as an unprivileged user,
# one entrypoint with a command per role (deploy/entrypoint.sh): `serve` (the default),
# `worker`, `migrate`. compose.yaml runs them; docs/deployment.md explains the rest.
#
#   docker build -t ketenregister .
#   docker run --rm ketenregister ketenregister --version

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY policies/ policies/
COPY registry/ registry/
COPY schema/ schema/
COPY clients/ clients/
RUN python -m venv /opt/ketenregister \
    && /opt/ketenregister/bin/pip install /src


FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

# A system user without a login shell; the registry needs no privilege. Its home holds the
# SQLite file when no PostgreSQL is configured (mount a volume on data/), keys/ the log key
# and data-key/ the households' data key (volumes, owner-only; a fresh volume takes over the
# folder's owner, so the unprivileged keygen can write into it).
RUN groupadd --system --gid 10001 ketenregister \
    && useradd --system --uid 10001 --gid ketenregister --no-create-home \
        --home-dir /var/lib/ketenregister --shell /usr/sbin/nologin ketenregister \
    && install -d -o ketenregister -g ketenregister -m 0750 \
        /var/lib/ketenregister /var/lib/ketenregister/data /var/lib/ketenregister/keys \
    && install -d -o ketenregister -g ketenregister -m 0700 /var/lib/ketenregister/data-key

COPY --from=build /opt/ketenregister /opt/ketenregister
COPY --chmod=0755 deploy/entrypoint.sh /usr/local/bin/ketenregister-entrypoint
COPY LICENSE /usr/share/doc/ketenregister/LICENSE

ENV PATH=/opt/ketenregister/bin:$PATH \
    KETENREGISTER_DATABASE_URL=sqlite:////var/lib/ketenregister/data/ketenregister.sqlite3 \
    KETENREGISTER_HOST=0.0.0.0 \
    KETENREGISTER_PORT=8000

# Numeric, so that an orchestrator can check it is not root without reading /etc/passwd.
USER 10001:10001
WORKDIR /var/lib/ketenregister
EXPOSE 8000

# Healthy means ready: the database answers and is at the code's migration (GET /readyz).
# The worker serves no HTTP: compose.yaml turns the check off for it.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["ketenregister-entrypoint", "healthcheck"]

ENTRYPOINT ["ketenregister-entrypoint"]
CMD ["serve"]
