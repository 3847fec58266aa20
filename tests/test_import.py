import subprocess
import sys


def test_import_is_light():
    code = "import sys, extremism_nlp; print(sorted(m for m in ('torch', 'transformers', 'datasets', 'sklearn', 'pandas', 'scipy', 'fastapi', 'ray', 'pyarrow') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"
