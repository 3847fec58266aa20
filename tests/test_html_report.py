"""The HTML page of `extremism-nlp explain --html`, opened in a real headless browser
(Debian's Chromium): the evidence spans are highlighted where they are, and the untrusted
text stays text, in either direction.

Chromium is installed by `.ci/run` (apt-get); where it is missing the browser test skips,
except under CI (``CI=true``), where it fails."""

import os
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from extremism_nlp import Classifier
from extremism_nlp.html_report import render_html
from test_documents import word_classifier

HOSTILE = '<script>document.title="pwned"</script><img src=x onerror="document.title=1"> &amp; "quotes" \u202eevil'
ARABIC_THREAT = "وسنقتل kill الجميع الليلة في بيوتهم وفي الشوارع."
ARABIC = "هذا نص عربي طويل عن الطقس الجميل في المدينة، " + ARABIC_THREAT
THREAT = "We will kill them all tonight, every one of them!"


def _browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("Chromium is not installed: .ci/run installs it (apt-get install -y chromium)")
    pytest.skip("no headless browser here: apt-get install -y chromium to run this test")


class _Marks(HTMLParser):
    """The <mark> elements of a DOM with their attributes and text, and the other tags."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[dict[str, str]] = []
        self.tags: list[str] = []
        self.title = ""
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "mark":
            self.marks.append({**dict(attrs), "text": ""})
            self._in = "mark"
        elif tag == "title":
            self._in = "title"

    def handle_endtag(self, tag):
        if tag in ("mark", "title"):
            self._in = None

    def handle_data(self, data):
        if self._in == "mark":
            self.marks[-1]["text"] += data
        elif self._in == "title":
            self.title += data


def _rendered_dom(page, tmp_path) -> _Marks:
    browser = _browser()
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}"]
    result = subprocess.run([*command, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    parsed = _Marks()
    parsed.feed(result.stdout)
    return parsed


def test_the_page_shows_the_evidence_in_a_browser(tmp_path):
    words = word_classifier(window_chars=80)
    text = "The weather is nice today, the sun is shining.\n" * 10 + HOSTILE + "\n" + ARABIC + f"\n{THREAT} Rats and vermin all of them, every single one.\nBye bye, see you soon, my dear friends."
    prediction = words.classify(text)
    assert prediction.labels == ("violence", "hate", "offensive")
    page = tmp_path / "page.html"
    page.write_text(render_html(text, prediction, words.explain(text), title="<b>doc</b>"), encoding="utf-8")
    dom = _rendered_dom(page, tmp_path)
    # every evidence span is highlighted, its offsets and text those of the original
    shown = {(int(m["data-start"]), int(m["data-end"])): m for m in dom.marks}
    for label, spans in prediction.evidence.items():
        for span in spans:
            covering = [m for (a, b), m in shown.items() if span.start <= a < span.end]
            assert "".join(m["text"] for m in covering) == span.text.replace("\n", "")  # a line break ends a <mark>
            assert all(label in m["data-labels"].split() for m in covering)
    violence = [m for m in dom.marks if "violence" in m["data-labels"].split()]
    assert any(m["text"] == THREAT for m in violence)
    assert any(m["text"] == ARABIC_THREAT for m in violence)  # after the Arabic comma
    assert all(float(m["data-score"]) > 0.9 for m in dom.marks)
    # the untrusted text stayed text: no element came from it, and the title is ours
    assert "script" not in dom.tags and "img" not in dom.tags
    assert dom.title == "<b>doc</b>"
    assert "document.title=" in page.read_text(encoding="utf-8").replace("&quot;", '"')


def test_the_page_has_no_outside_resources_and_keeps_directions():
    fast = Classifier.from_pretrained("fast")
    text = "نحن نحب الحدائق\nWe will kill them all"
    page = render_html(text, fast.classify(text))
    assert "http://" not in page and "https://" not in page and "<script" not in page and "<link" not in page
    assert page.count('<p dir="auto">') == 2 and "unicode-bidi: plaintext" in page
