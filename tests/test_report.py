import json

import numpy as np

from extremism_nlp import Classifier
from extremism_nlp.evaluation import evaluate
from extremism_nlp.evaluation.report import calibration


def test_calibration_error_of_a_calibrated_score_is_small():
    rng = np.random.default_rng(0)
    p = rng.random(20000)
    y = (rng.random(20000) < p).astype(int)
    assert calibration(p, y)["ece"] < 0.02
    assert calibration(np.full(100, 0.9), np.zeros(100))["ece"] > 0.8


def test_evaluate_report(tiny_model_dir, tmp_path):
    data = {
        "text": ["we will kill them all tonight", "the weather is nice today", "those immigrants are vermin and rats", "ministers condemned the attack"],
        "labels": [[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0]],
        "lang": ["en", "en", "en", "fr"],
        "source": ["a", "a", "b", "b"],
    }
    report = evaluate(Classifier.from_pretrained(tiny_model_dir), data, by=("lang", "source"))
    assert report.rows == 4
    assert set(report.groups) == {"lang", "source"}
    assert report.groups["lang"]["all"]["labels"]["violence"]["support"] == 1
    assert "## By lang" in report.to_markdown()
    assert json.loads(report.to_json(tmp_path / "r.json"))["model"] == "tiny"
    paths = report.save_plots(tmp_path / "plots")
    assert all(p.is_file() and p.stat().st_size > 1000 for p in paths)
