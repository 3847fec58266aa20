"""Long texts read sentence by sentence give the recorded outputs
(tests/data/fast_document_outputs.npz, recorded before the sentences of a batch were scored
as one matrix): raw logits to the last bit, probabilities within 1e-12 (the last bit of a
float64 sigmoid depends on the CPU: numpy's vectorised exp differs between instruction sets,
5.6e-17 measured on an AMD EPYC against the record), decided labels, languages, chunks and
every evidence span, whatever the batch size and however long and short texts are mixed.

See tests/record_fast_document_outputs.py for the texts and for when recording again is right."""

from __future__ import annotations

import numpy as np
import pytest

from record_fast_document_outputs import RECORD, document_texts, outputs
from record_fast_outputs import checked_record


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return document_texts()


@pytest.fixture(scope="module")
def recorded(texts):
    return checked_record(RECORD, texts)


def _spans(record: dict[str, np.ndarray]) -> list[tuple]:
    """The evidence spans (row, label, start, end); their scores are compared apart."""
    keys = ("evidence_row", "evidence_label", "evidence_start", "evidence_end")
    return list(zip(*(record[key].tolist() for key in keys)))


@pytest.mark.parametrize("batch_size", [1000, 64, 7])
def test_long_texts_give_the_recorded_outputs(texts, recorded, batch_size):
    now = outputs(texts, batch_size=batch_size)
    for field, tolerance in (("raw", 0.0), ("scores", 1e-12)):
        different = np.flatnonzero((np.abs(now[field] - recorded[field]) > tolerance).any(axis=1))
        assert not len(different), f"{field}: {len(different)} texts differ, e.g. rows {different[:5].tolist()}"
    for field in ("decided", "lang", "empty", "chunk", "n_chunks"):
        different = np.flatnonzero(now[field] != recorded[field])
        assert not len(different), f"{field}: {len(different)} texts differ, e.g. rows {different[:5].tolist()}"
    assert _spans(now) == _spans(recorded)
    np.testing.assert_allclose(now["evidence_score"], recorded["evidence_score"], rtol=0, atol=1e-12)


def test_the_record_covers_long_mixed_texts(texts, recorded):
    lengths = np.array([len(text.encode("utf-8")) for text in texts])
    assert (recorded["n_chunks"] > 1).sum() >= 250 and lengths.max() >= 9000
    assert len(set(recorded["lang"][recorded["n_chunks"] > 1].tolist())) >= 10
    assert recorded["empty"].any() and (recorded["n_chunks"] == 1).sum() >= 100
    assert len(recorded["evidence_row"]) >= 500
