"""The transformer backend on a tiny random BERT with a unigram (SentencePiece-style)
tokenizer trained on a few lines, built on the fly: no network, seconds."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")

from extremism_nlp import Classifier  # noqa: E402
from extremism_nlp.models import load_model  # noqa: E402
from extremism_nlp.models.transformer import ADAPTER_FILE  # noqa: E402
from extremism_nlp.training import TrainingConfig, train  # noqa: E402
from extremism_nlp.training.transformer import build_network, merge_adapter  # noqa: E402
from tiny_models import make_tiny_bert  # noqa: E402


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    return make_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="module")
def trained(tiny_bert, tmp_path_factory):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from raw_fixtures import make_raw_data_dir

    root = tmp_path_factory.mktemp("tr")
    data = make_raw_data_dir(root / "data")
    config = TrainingConfig(
        model="transformer", name="tiny-transformer", base=str(tiny_bert), data_dir=str(data),
        output_dir=str(root / "model"), max_train_rows=32, max_eval_rows=32, batch_size=16, epochs=1,
        show_progress=False,
    )  # fmt: skip
    return train(config)


def test_train_save_load_gives_the_same_logits(trained):
    assert (trained / ADAPTER_FILE).stat().st_size < 200_000  # adapter and head only
    assert (trained / "README.md").read_text().startswith("# Model card")
    texts = ["we will kill them", "the weather is nice", "", "les dirigeants"]
    first = load_model(trained).decision_function(texts)
    second = load_model(trained).decision_function(texts)
    assert np.array_equal(first, second)
    classifier = Classifier.from_pretrained(trained)
    assert classifier.predict_proba(texts).shape == (4, 4)


def test_training_continues_from_a_trained_model(trained, tiny_bert, tmp_path):
    # With a zero learning rate nothing moves: the result is the starting model's weights.
    config = TrainingConfig(
        model="transformer", name="continued", base=str(tiny_bert), data_dir=load_model(trained).info.training["config"]["data_dir"],
        output_dir=str(tmp_path / "continued"), max_train_rows=16, max_eval_rows=16, batch_size=16, epochs=1,
        learning_rate=0.0, seed=14, init_from=str(trained), show_progress=False,
    )  # fmt: skip
    continued = train(config)
    texts = ["we will kill them", "les dirigeants"]
    assert np.allclose(load_model(continued).decision_function(texts), load_model(trained).decision_function(texts), atol=1e-5)
    assert load_model(continued).info.training["initialised_from"] == {"name": "tiny-transformer", "version": load_model(trained).info.version}
    assert "continued from `tiny-transformer`" in (continued / "README.md").read_text()
    with pytest.raises(ValueError, match="init-from"):
        train(TrainingConfig(**{**config.__dict__, "init_from": "fast", "output_dir": str(tmp_path / "wrong")}))


def test_training_can_be_limited_to_some_languages(trained, tiny_bert, tmp_path):
    config = TrainingConfig(
        model="transformer", name="ar-fr", base=str(tiny_bert), data_dir=load_model(trained).info.training["config"]["data_dir"],
        output_dir=str(tmp_path / "ar-fr"), max_train_rows=24, max_eval_rows=16, batch_size=16, epochs=1,
        init_from=str(trained), train_languages=["ar", "fr"], show_progress=False,
    )  # fmt: skip
    info = load_model(train(config)).info
    assert set(info.training["train_languages"]) == {"ar", "fr"}
    # Validation and test stay whole: calibration and the card's metrics cover every language.
    assert {"en", "de"} <= set(info.training["test_metrics"]["by_lang"])
    with pytest.raises(ValueError, match="transformer training only"):
        train(TrainingConfig(model="fast", train_languages=["ar"], output_dir=str(tmp_path / "fast")))
    with pytest.raises(ValueError, match="no training rows"):
        train(TrainingConfig(**{**config.__dict__, "train_languages": ["xx"], "output_dir": str(tmp_path / "none")}))


def test_lora_merged_and_unmerged_agree(tiny_bert):
    network = build_network(str(tiny_bert), {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["query", "value"]})
    with torch.no_grad():
        for name, parameter in network.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 0.5)  # LoRA B starts at zero: make the adapter matter
    network.eval()
    ids = torch.tensor([[0, 5, 6, 7, 2], [0, 8, 9, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]])
    with torch.no_grad():
        unmerged = network(ids, mask)
        merged = merge_adapter(network)(ids, mask)
    assert torch.allclose(unmerged, merged, atol=1e-5)


def test_fast_encoder_load_matches_from_pretrained(tiny_bert):
    from extremism_nlp.models.transformer import _load_encoder, _load_encoder_for_inference

    ids = torch.tensor([[0, 5, 6, 7, 2], [0, 8, 9, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]])
    with torch.no_grad():
        reference = _load_encoder(str(tiny_bert)).eval()(input_ids=ids, attention_mask=mask).last_hidden_state
        fast = _load_encoder_for_inference(str(tiny_bert))(input_ids=ids, attention_mask=mask).last_hidden_state
    assert torch.equal(reference, fast)


def test_onnx_agrees_with_torch(trained, tmp_path):
    pytest.importorskip("onnxruntime")
    model = load_model(trained)
    texts = ["we will kill them all tonight", "the weather is nice today", "عقدت القمة"]
    reference = model.decision_function(texts)
    fp32 = model.export_onnx(tmp_path / "fp32", quantize=False)
    import onnxruntime as ort

    session = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"])
    onnx_logits = session.run(None, model.tokenizer(texts, model.max_length))[0]
    assert np.allclose(onnx_logits, reference, atol=1e-4)
    int8 = Classifier.from_pretrained(trained, runtime="onnx")
    assert int8.predict_proba(texts).shape == (3, 4)


def test_long_text_is_read_in_chunks(trained):
    classifier = Classifier.from_pretrained(trained)
    text = " ".join(["the weather is nice today."] * 200 + ["we will kill them all tonight."] + ["the weather is nice today."] * 200)
    prediction = classifier.classify(text)
    assert prediction.n_chunks > 2 and prediction.chunk is not None


def test_ensemble_passes_the_runtime_to_its_transformer(trained, tiny_model_dir, tmp_path):
    pytest.importorskip("onnxruntime")
    from extremism_nlp.models.base import ModelInfo
    from extremism_nlp.training.ensemble import fit_ensemble_model

    texts = ["we will kill them all tonight", "the weather is nice today", "shut up you stupid idiot"] * 4
    targets = np.array([[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]] * 4)
    info = ModelInfo(model_type="ensemble", name="tiny-stack", version="0.0.1")
    fit_ensemble_model(info, [str(trained), str(tiny_model_dir)], texts, targets, np.ones_like(targets)).save_pretrained(tmp_path)
    onnx = load_model(tmp_path, runtime="onnx")
    assert onnx.members[0].runtime == "onnx"
    assert np.allclose(onnx.decision_function(texts), load_model(tmp_path).decision_function(texts), atol=0.5)
