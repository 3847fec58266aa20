"""Embeddings of a frozen encoder, cached on disk by text hash.

Fitting a head over a frozen encoder costs seconds; embedding the corpus costs an hour on
two CPU cores. The cache makes every fit, protocol fold and experiment after the first one
cheap. An entry is keyed by the SHA-256 of the text and stored with its token count, so it
is reused for any ``max_length`` that would not have cut the text (the embedding is then the
same) and recomputed otherwise.

Shards are ``.npz`` files (keys, token counts, the length they were cut at, float16
embeddings), written to a temporary name and renamed, so an interrupted run leaves no torn
file; a shard that cannot be read is reported and ignored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from .text import encoder_input

logger = logging.getLogger(__name__)

KEY_BYTES = 12
SHARD_ROWS = 2000


def encoder_identity(resolved_base: str) -> str:
    """What names an encoder's cached outputs: the weights' source checksum where the folder
    records one (the offline e5 build does), else the folder's path."""
    marker = Path(resolved_base) / "SOURCE.json"
    return json.loads(marker.read_text())["source_sha256"] if marker.is_file() else resolved_base


def text_key(text: str) -> bytes:
    """Cache key of a text (lone surrogates hashed as they are, never an encoding error)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:KEY_BYTES]


class EmbeddingCache:
    """Mean-pooled embeddings of ``base`` (with the model's input prefix; the layers
    ``pool_layers`` joined, default the last), computed on demand and kept in ``folder``.
    They are computed by the very pooling the model's network applies."""

    def __init__(
        self, base: str, prefix: str, folder: str | Path | None = None, batch_size: int = 64, pool_layers: list[int] | None = None
    ) -> None:
        from .models.transformer import resolve_base

        self.base, self.prefix, self.batch_size = base, prefix, batch_size
        self.pool_layers = list(pool_layers or [-1])
        self._resolved = resolve_base(base)
        self.folder = Path(folder) if folder is not None else self.default_folder(self._resolved, prefix, self.pool_layers)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._index: dict[bytes, tuple[int, int]] = {}  # key -> (token count, length cut at), row in _rows
        self._rows: dict[bytes, np.ndarray] = {}
        self._encoder: Any = None
        self._tokenizer: Any = None
        self._load()

    @staticmethod
    def default_folder(resolved_base: str, prefix: str, pool_layers: list[int]) -> Path:
        """One folder per encoder version and pooling."""
        from .paths import cache_root

        pooling = "mean-last" if pool_layers == [-1] else "mean-" + ",".join(map(str, pool_layers))
        key = hashlib.sha256(f"{encoder_identity(resolved_base)}|{prefix}|{pooling}".encode()).hexdigest()[:16]
        return cache_root() / "embeddings" / f"{Path(resolved_base).name}-{key}"

    def _load(self) -> None:
        for path in sorted(self.folder.glob("shard-*.npz")):
            try:
                with np.load(path, allow_pickle=False) as shard:
                    keys, tokens, cut, vectors = shard["keys"], shard["tokens"], shard["cut"], shard["vectors"]
            except (OSError, ValueError, KeyError) as error:
                logger.warning("embedding cache shard %s unreadable (%s); ignored", path, error)
                continue
            # Keys are stored as rows of bytes: numpy's fixed-width bytes type would drop a
            # key's trailing zero bytes.
            for key, n, c, vector in zip(map(bytes, keys), tokens.tolist(), cut.tolist(), vectors):
                self._index[key] = (n, c)
                self._rows[key] = vector

    def _usable(self, key: bytes, max_length: int) -> bool:
        entry = self._index.get(key)
        return entry is not None and (entry[0] <= entry[1] or entry[1] == max_length)

    def _encode(self, texts: list[str], max_length: int) -> tuple[np.ndarray, np.ndarray]:
        """Embeddings and untruncated token counts, computed with the encoder."""
        import torch

        from .models.transformer import BatchTokenizer, _classifier, _load_encoder_for_inference

        if self._encoder is None:
            self._tokenizer = BatchTokenizer(self._resolved)
            self._encoder = _classifier(_load_encoder_for_inference(self._resolved), 1, self.pool_layers).eval()
        prefixed = [self.prefix + text for text in texts]
        tokens = np.array([len(ids) for ids in self._tokenizer.encode(prefixed, 1 << 20)])
        vectors = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                batch = self._tokenizer(prefixed[start : start + self.batch_size], max_length)
                pooled = self._encoder.pooled(torch.from_numpy(batch["input_ids"]), torch.from_numpy(batch["attention_mask"]))
                vectors.append(pooled.float().numpy())
        return np.concatenate(vectors), tokens

    def embed(self, texts: list[str], max_length: int, show_progress: bool = False) -> np.ndarray:
        """Embeddings (n, hidden) as float32, computing and storing those not cached."""
        # Keyed by the text as the tokeniser reads it (`encoder_input`): texts that differ
        # only in white space at their ends share an embedding.
        keys = [text_key(encoder_input(text)) for text in texts]
        missing = list({key: text for key, text in zip(keys, texts) if not self._usable(key, max_length)}.items())
        if missing:
            # Length-sorted, so that padding inside a batch is small.
            missing.sort(key=lambda item: len(item[1]))
            starts = range(0, len(missing), SHARD_ROWS)
            if show_progress:
                from tqdm.auto import tqdm

                starts = tqdm(starts, desc=f"embedding {len(missing)} texts", unit="shard")
            for start in starts:
                chunk = missing[start : start + SHARD_ROWS]
                vectors, tokens = self._encode([text for _, text in chunk], max_length)
                self._store([key for key, _ in chunk], vectors, tokens, max_length)
        return np.stack([self._rows[key] for key in keys]).astype(np.float32) if keys else np.zeros((0, 0), np.float32)

    def _store(self, keys: list[bytes], vectors: np.ndarray, tokens: np.ndarray, max_length: int) -> None:
        name = f"shard-{os.getpid()}-{len(self._index):09d}"
        temporary = self.folder / f"{name}.tmp.npz"
        np.savez(
            temporary, keys=np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), KEY_BYTES), tokens=tokens.astype(np.int32),
            cut=np.full(len(keys), max_length, dtype=np.int32), vectors=vectors.astype(np.float16),
        )  # fmt: skip
        temporary.rename(self.folder / f"{name}.npz")
        for key, n, vector in zip(keys, tokens.tolist(), vectors.astype(np.float16)):
            self._index[key] = (n, max_length)
            self._rows[key] = vector
