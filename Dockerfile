# Production image: the same code for web, worker and beat (see docker-compose.example.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN useradd --create-home --uid 1000 ideaportal
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings to load; these values exist only for this step.
RUN SECRET_KEY=build-only-not-secret DEBUG=false IDEAPORTAL_VAR_DIR=/tmp/var python manage.py collectstatic --noinput
USER ideaportal
ENV IDEAPORTAL_VAR_DIR=/tmp/var
EXPOSE 8000
CMD ["gunicorn", "ideaportal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--max-requests", "2000", "--max-requests-jitter", "200", "--access-logfile", "-"]
