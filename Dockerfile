# losscape: the classroom page, REST API and live channel in one image.
#   docker build -t losscape .
#   docker run --rm -p 8000:8000 -e LOSSCAPE_WORKERS=2 losscape
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NUMBA_CACHE_DIR=/var/cache/losscape/numba \
    LOSSCAPE_WORKERS=1

# A non-root user owning the one writable place the app needs: numba's cache
# (cache=True kernels must be able to write there even when it is full).
RUN groupadd --system --gid 10001 losscape \
    && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /home/losscape losscape \
    && mkdir -p "$NUMBA_CACHE_DIR" \
    && chown -R 10001:10001 /var/cache/losscape

# The same install as CI: the package and its dependencies from pyproject.toml.
WORKDIR /tmp/losscape
COPY pyproject.toml README.md ./
COPY backend ./backend
COPY frontend ./frontend
RUN pip install --no-cache-dir . \
    && rm -rf /tmp/losscape

USER 10001:10001
WORKDIR /home/losscape

# Compile every kernel into the cache now; numba keys the cache on the CPU, so a
# host with another CPU recompiles once at start (serve's warm-up does it).
RUN losscape warm

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

# exec: uvicorn becomes PID 1's replacement and gets SIGTERM from `docker stop`.
CMD ["sh", "-c", "exec losscape serve --host 0.0.0.0 --port 8000 --workers ${LOSSCAPE_WORKERS:-1}"]
