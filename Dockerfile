# checkout-gateway: slim, non-root, read-only-ready, serving on 0.0.0.0:$GATEWAY_PORT (8000).
# The dependencies come from requirements.lock, hash-checked (regenerate it: scripts/lock).
# PYTHON_IMAGE: the official slim image by default; tests/container builds on a stand-in
# made from Debian's packages (scripts/python-standin) where no registry is reachable.
ARG PYTHON_IMAGE=docker.io/library/python:3.12-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
# strip: some wheels ship their extensions with debug info (uvloop's: 12 of its 14 MB).
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends binutils >/dev/null \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Everything is installed under /install, which the final stage copies in one layer.
# The locked set first: a change to the code alone reuses this layer.
COPY requirements.lock ./
RUN pip install --root /install --no-warn-script-location \
        --require-hashes --only-binary=:all: -r requirements.lock \
    && find /install -name '*.so' -exec strip --strip-debug {} +
COPY pyproject.toml README.md ./
COPY gateway ./gateway
RUN pip wheel --no-deps --wheel-dir /tmp/wheels . \
    && pip install --root /install --no-warn-script-location --no-deps /tmp/wheels/*.whl

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GATEWAY_PORT=8000
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin gateway
COPY --from=build /install/ /
# The locked set satisfies every requirement of the project (and of each package).
RUN pip check
USER 10001:10001
EXPOSE 8000
# Both the server and the check read GATEWAY_PORT, so `-e GATEWAY_PORT=9000` moves both.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:${GATEWAY_PORT}/healthz', timeout=2)"
# exec: the gateway is PID 1 and gets SIGTERM itself (uvicorn then shuts down gracefully).
CMD ["sh", "-c", "exec checkout-gateway serve --host 0.0.0.0 --port \"$GATEWAY_PORT\""]
