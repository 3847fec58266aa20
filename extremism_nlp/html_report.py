"""A self-contained HTML page of one classified document: its decided labels and scores, and
the text with each label's evidence highlighted by score (`extremism-nlp explain --html`).

The text is untrusted input: every piece of it is HTML-escaped, the page loads nothing
(a Content-Security-Policy forbids scripts and outside resources), and it keeps the text's
own direction (``dir="auto"`` per line, ``unicode-bidi: plaintext``) so that Arabic, Hebrew
or Urdu lines render right to left next to left-to-right ones. Each highlighted stretch is a
``<mark>`` with ``data-labels``, ``data-start``, ``data-end`` (character offsets into the
original text) and ``data-score`` (the highest score among its labels).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from .labels import LABELS

if TYPE_CHECKING:
    from .classifier import Prediction
    from .explain import Explanation

_COLOURS = {"extremism": "170, 40, 160", "violence": "210, 30, 30", "hate": "230, 120, 0", "offensive": "150, 150, 0"}

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
td, th { border: 1px solid #ccc; padding: 0.2rem 0.6rem; text-align: start; }
.document p { unicode-bidi: plaintext; white-space: pre-wrap; margin: 0 0 0.4rem 0; }
mark { border-radius: 0.2rem; padding: 0 0.1rem; color: inherit; }
.decided { font-weight: bold; }
"""


def render_html(text: str, prediction: Prediction, explanation: Explanation | None = None, title: str = "extremism-nlp") -> str:
    """The page for ``text`` as ``prediction`` (from `Classifier.classify(text)`) decided
    it; with an ``explanation``, a table of the words that raised each decided label most."""
    rows = "".join(
        f'<tr class="{"decided" if label in prediction.labels else ""}"><td>{label}</td><td>{prediction.scores[label]:.3f}</td>'
        f"<td>{'decided' if label in prediction.labels else ''}</td></tr>"
        for label in LABELS
    )
    words = ""
    if explanation is not None:
        items = []
        for label in prediction.labels:
            top = ", ".join(f"{html.escape(w.text)} ({w.contributions[label]:+.2f})" for w in explanation.top(label, 8))
            items.append(f"<li><b>{label}</b>: <bdi>{top}</bdi></li>")
        words = f"<h2>Words that raised each label ({explanation.method})</h2><ul>{''.join(items)}</ul>" if items else ""
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f'<p>Model {html.escape(prediction.model)} {html.escape(prediction.model_version)}; language {html.escape(prediction.lang)}; '
        f'label <b id="headline">{html.escape(prediction.label)}</b></p>'
        f"<table><tr><th>label</th><th>score</th><th></th></tr>{rows}</table>{words}"
        f'<div class="document">{_highlighted(text, prediction)}</div></body></html>\n'
    )


def _highlighted(text: str, prediction: Prediction) -> str:
    """The text as paragraphs (one per line), evidence spans wrapped in ``<mark>``."""
    marked = [(span.start, span.end, label, span.score) for label, spans in prediction.evidence.items() for span in spans]
    bounds = {0, len(text)}
    for start, end, _, _ in marked:
        bounds.update((start, end))
    position = text.find("\n")
    while position >= 0:
        bounds.update((position, position + 1))
        position = text.find("\n", position + 1)
    cuts = sorted(bounds)
    lines: list[str] = []
    current = ""
    for start, end in zip(cuts, cuts[1:]):
        piece = text[start:end]
        if piece == "\n":
            lines.append(current)
            current = ""
            continue
        labels = [(label, score) for first, last, label, score in marked if first <= start < last]
        if not labels:
            current += html.escape(piece)
            continue
        score = max(score for _, score in labels)
        names = " ".join(sorted({label for label, _ in labels}, key=LABELS.index))
        colour = _COLOURS[max(labels, key=lambda item: item[1])[0]]
        alpha = 0.2 + 0.6 * min(max(score, 0.0), 1.0)
        current += (
            f'<mark data-labels="{names}" data-start="{start}" data-end="{end}" data-score="{score:.3f}" '
            f'title="{names} {score:.3f}" style="background: rgba({colour}, {alpha:.2f})">{html.escape(piece)}</mark>'
        )
    lines.append(current)
    return "".join(f'<p dir="auto">{line}</p>' for line in lines)
