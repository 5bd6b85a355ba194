# Production image: one image for web, worker and beat (see compose.yaml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SERVICEDESK_VAR_DIR=/var/lib/servicedesk \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN useradd --system --home /app servicedesk \
    && mkdir -p /var/lib/servicedesk \
    && chown servicedesk /var/lib/servicedesk \
    && SECRET_KEY=build-only python manage.py collectstatic --no-input -v 0

USER servicedesk
EXPOSE 8000
CMD ["gunicorn", "servicedesk.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
