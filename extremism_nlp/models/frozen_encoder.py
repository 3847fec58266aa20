"""The `frozen_encoder` backend: a multilingual encoder left as it was pre-trained, and a
small head over its mean-pooled token states: a logistic regression per label, or one
hidden layer (``head_hidden`` in the config: an average of small networks, stored as one).

Fine-tuning on corpora that are mostly English and German taught the `transformer` backend
each source's style and lost the encoder's alignment across languages: "I hate women" and
its French or Arabic translation stopped scoring alike. A frozen encoder keeps that
alignment, so what the head learns in one language carries to the others, and the head
is fitted in seconds over cached embeddings (``extremism_nlp.frozen_training``).

Inference is the `transformer` backend's: the folder's ``adapter.safetensors`` holds the
head alone, with no LoRA matrices. It runs on ONNX Runtime in float32 unless told otherwise
(``runtime="torch"``, or ``"onnx"`` for int8): the same scores as torch within 1e-4, and on 2
shared cores about twice torch's speed on tweet-length texts (README, "Speed of default").
"""

from __future__ import annotations

from typing import Any

from .transformer import TransformerModel


class FrozenEncoderModel(TransformerModel):
    """A frozen encoder with a head fitted over its embeddings."""

    model_type = "frozen_encoder"
    default_runtime = "onnx-fp32"

    embedding_cache: Any = None
    """Set while training: an `EmbeddingCache` whose stored embeddings stand in for running
    the encoder (calibration and testing read thousands of texts the fit embedded already)."""

    def decision_function(self, texts: list[str]):
        if self.embedding_cache is None:
            return super().decision_function(texts)
        import torch

        vectors = self.embedding_cache.embed(texts, self.max_length)
        with torch.inference_mode():
            return self.network.head(torch.from_numpy(vectors)).numpy()
