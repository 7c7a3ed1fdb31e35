# privacy-desk: one image for the bot, the console and the maintenance commands.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY locales ./locales
COPY policies ./policies
# Editable, so the catalogues in /app/locales are found next to the code (they are read as .po at start).
RUN pip install --no-cache-dir -e .

RUN useradd --create-home --uid 10001 desk && mkdir -p /app/data && chown desk /app/data
USER desk
VOLUME ["/app/data"]
EXPOSE 8080

ENTRYPOINT ["privacy-desk"]
CMD ["run", "--no-console"]
