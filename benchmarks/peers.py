"""Offline peer classifiers, each in its own virtual environment (their pins conflict).

Each peer maps its own output onto the project labels it covers; only those labels are
compared. Environments are created on first use under benchmarks/.peers/ (git-ignored)
from the package registry; nothing is downloaded at run time by the peers themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

PEERS_DIR = Path(__file__).parent / ".peers"


@dataclass(frozen=True)
class Peer:
    name: str
    language: str
    requirements: tuple[tuple[str, ...], ...]
    """pip install steps, in order."""
    labels: tuple[str, ...]
    """Project labels this peer's output is mapped onto."""
    script: str
    """Reads a JSON list of texts on stdin, prints a JSON list of decided project labels."""
    needs_locale: bool = False


_HATESONAR = r"""
import json, sys
from hatesonar import Sonar
sonar = Sonar()
out = []
for text in json.load(sys.stdin):
    top = sonar.ping(text=text)["top_class"]
    # hate speech is offensive too, as in the project mapping
    out.append({"hate_speech": ["hate", "offensive"], "offensive_language": ["offensive"]}.get(top, []))
print(json.dumps(out))
"""

_PROFANITY = r"""
import json, sys
from profanity_check import predict
texts = json.load(sys.stdin)
print(json.dumps([["offensive"] if flag else [] for flag in predict(texts).tolist()]))
"""

_ARABIC_TOXIC = r"""
import json, sys, warnings
warnings.filterwarnings("ignore")
import arabic_toxic
mapping = {"Hatred": ["hate", "offensive"], "Racial": ["hate", "offensive"], "Violence": ["violence"],
           "Cussing": ["offensive"], "Sexual": ["offensive"], "Appearance": ["offensive"]}
out = []
for text in json.load(sys.stdin):
    decided = set()
    for label in arabic_toxic.classify(text)["labels"]:
        decided.update(mapping.get(label, []))
    out.append(sorted(decided))
print(json.dumps(out))
"""

PEERS = (
    Peer("hatesonar", "en", (("hatesonar==0.1.0",),), ("hate", "offensive"), _HATESONAR, needs_locale=True),
    Peer("alt-profanity-check", "en", (("alt-profanity-check==1.9.1",),), ("offensive",), _PROFANITY),
    # It declares scikit-learn<1.8 but ships a model pickled with 1.8.0, which only loads
    # correctly under 1.8.0: install that over the declared range.
    Peer("arabic-toxic", "ar", (("arabic-toxic==0.2.3",), ("--no-deps", "scikit-learn==1.8.0")), ("violence", "hate", "offensive"), _ARABIC_TOXIC),
)


def _environment(peer: Peer) -> Path:
    folder = PEERS_DIR / peer.name
    python = folder / "bin" / "python"
    stamp = folder / ".installed"
    wanted = json.dumps(peer.requirements)
    if not stamp.is_file() or stamp.read_text() != wanted:
        venv.create(folder, with_pip=True, clear=True)
        for step in peer.requirements:
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", *step], check=True)
        stamp.write_text(wanted)
    return python


def _locale_dir() -> Path:
    """hatesonar's ONNX graph needs the en_US.UTF-8 locale, which slim machines lack:
    compile it into a private folder (LOCPATH) instead of changing the system."""
    folder = PEERS_DIR / "locale"
    if not (folder / "en_US.UTF-8").exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["localedef", "-i", "en_US", "-f", "UTF-8", "-c", str(folder / "en_US.UTF-8")], check=False)
    return folder


def run_peer(peer: Peer, texts: list[str]) -> list[list[str]]:
    """Decided project labels per text, from the peer in its own environment."""
    python = _environment(peer)
    env = dict(os.environ)
    if peer.needs_locale:
        env["LOCPATH"] = str(_locale_dir())
    result = subprocess.run(
        [str(python), "-c", peer.script], input=json.dumps(texts), capture_output=True, text=True, env=env
    )
    if result.returncode != 0:
        raise RuntimeError(f"peer {peer.name} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    for peer in PEERS:
        print(peer.name, run_peer(peer, sys.argv[1:] or ["hello", "you stupid idiot"]))
