"""Tiny model folders built on the fly for tests: a 1-layer BERT with a unigram
(SentencePiece-style) tokenizer trained on a few lines, and a `transformer` model folder on
it whose adapter is a random head (no LoRA matrices: nothing to train). Seconds, no network."""

from __future__ import annotations

import json
from pathlib import Path

LINES = [
    "we will kill them all tonight", "the weather is nice today", "those people are vermin",
    "les dirigeants ont condamné l'attentat", "عقدت القمة الدولية لمكافحة الإرهاب",
    "join the caliphate brothers", "shut up you stupid idiot", "muslims celebrated eid",
] * 20  # fmt: skip


def make_tiny_bert(folder: Path) -> Path:
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(models.Unigram())
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.train_from_iterator(
        LINES, trainers.UnigramTrainer(vocab_size=150, special_tokens=["<s>", "<pad>", "</s>", "<unk>"], unk_token="<unk>")
    )
    tokenizer.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token="<unk>",
        cls_token="<s>", sep_token="</s>", model_max_length=128,
    ).save_pretrained(folder)  # fmt: skip
    config = BertConfig(
        vocab_size=tokenizer.get_vocab_size(), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128, pad_token_id=1,
    )  # fmt: skip
    torch.manual_seed(0)
    BertModel(config, add_pooling_layer=False).save_pretrained(folder)
    return folder


def make_tiny_transformer(folder: Path, base: Path, name: str = "tiny-transformer", seed: int = 0) -> Path:
    """A transformer model folder on ``base``: config.json and an adapter holding only a
    random classification head (scores spread over a few units of logit)."""
    import torch
    from safetensors.torch import save_file

    from extremism_nlp.labels import LABELS
    from extremism_nlp.models.base import ModelInfo

    folder.mkdir(parents=True, exist_ok=True)
    info = ModelInfo(
        model_type="transformer", name=name, version="0.0.1",
        backend={"base": str(base), "prefix": "", "max_length": 128, "batch_size": 4,
                 "lora": {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["query", "value"]}},
    )  # fmt: skip
    (folder / "config.json").write_text(info.to_json(), encoding="utf-8")
    generator = torch.Generator().manual_seed(seed)
    head = {"head.weight": torch.randn(len(LABELS), 32, generator=generator) * 3, "head.bias": torch.zeros(len(LABELS))}
    save_file(head, str(folder / "adapter.safetensors"))
    return folder


def write_config(folder: Path, **changes) -> None:
    """Change top-level or backend fields of a model folder's config.json."""
    path = folder / "config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key in config:
            config[key] = value
        else:
            config["backend"][key] = value
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
