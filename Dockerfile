# Production image for Ledningssystem: one image for the web server
# (gunicorn), the Celery worker, Celery beat and the one-shot migration.
# See docker-compose.yml and docs/deployment.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint loads Pango/HarfBuzz at run time through cffi (PDF exports);
# DejaVu gives it a font with Swedish characters. gettext provides msgfmt
# for compilemessages below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

# uid 1000 usually matches the first user on the host, so a secret file
# created with mode 600 by that user stays readable in the container
# (file-based Compose secrets are bind mounts that keep host ownership).
RUN groupadd --gid 1000 app \
    && useradd --uid 1000 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first so that code changes do not reinstall them. The project
# installs only its dependencies ([tool.setuptools] packages = []); README.md*
# is a glob so the build works whether or not the readme exists yet.
COPY pyproject.toml README.md* ./
RUN pip install . \
    && rm -rf build ./*.egg-info

COPY . .

# Code stays owned by root (read-only for the app user); static files are
# collected into the image and served by WhiteNoise with the compressed
# manifest storage that ENVIRONMENT=production selects. The settings refuse
# to load in production without a strong key and ALLOWED_HOSTS, so the build
# gets throwaway values that are not kept in the image's environment.
ENV STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media \
    WEB_CONCURRENCY=3
RUN ENVIRONMENT=production \
    SECRET_KEY=build-only-throwaway-key-used-to-load-settings-during-docker-build-0123456789 \
    ALLOWED_HOSTS=build \
    sh -c 'python manage.py compilemessages -v 0 && python manage.py collectstatic --noinput -v 0' \
    && python -m compileall -q .

# The media volume is initialised from this directory on first mount, so the
# app user can write generated files there.
RUN mkdir -p /data/media && chown app:app /data/media

USER app

EXPOSE 8000

# No curl in the image: probe /healthz with the standard library. Django
# rejects a Host header that is not in ALLOWED_HOSTS, so send the first
# allowed host. /healthz is exempt from the HTTPS redirect; a 503 raises and
# exits non-zero.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as u; h = (os.environ.get('ALLOWED_HOSTS') or 'localhost').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; sys.exit(0 if u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4).status == 200 else 1)"]

# gunicorn reads the number of workers from WEB_CONCURRENCY by itself.
# /dev/shm keeps the worker heartbeat files off the (possibly slow) overlay fs.
CMD ["gunicorn", "ledningssystem.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--worker-tmp-dir", "/dev/shm"]
