# syntax=docker/dockerfile:1
# Build stage: wheels for MPanel, its first-party plugins and their dependencies.
FROM python:3.11-slim AS build
WORKDIR /src
COPY requirements.txt setup.cfg pyproject.toml README.md ./
COPY mpanel mpanel
COPY plugins plugins
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt \
 && pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . $(for d in plugins/*/; do [ -f "$d/setup.cfg" ] && echo "$d"; done)

# Runtime stage: no compilers, a non-root user, gunicorn.
FROM python:3.11-slim
RUN useradd --system --create-home --uid 10001 mpanel
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels /wheels/*.whl && rm -rf /wheels
COPY --chown=mpanel:mpanel migrations migrations
COPY --chown=mpanel:mpanel translations translations
COPY --chown=mpanel:mpanel wsgi.py config.py gunicorn.conf.py babel.cfg ./
RUN pybabel compile -d translations -f \
 && mkdir -p /app/var/prometheus && chown -R mpanel:mpanel /app/var
USER mpanel
ENV MPANEL_ENV=production \
    FLASK_APP=mpanel:create_app \
    PROMETHEUS_MULTIPROC_DIR=/app/var/prometheus \
    MPANEL_BIND=0.0.0.0:8000 \
    MPANEL_HOME=/app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
