"""Probe (docs/MODELS.md, "Probe: LoRA on the encoder's top four layers"): fine-tuning on
two CPU cores, as far as it goes. multilingual-e5-small's layers 1-8 stay frozen and layers
9-12 get a LoRA adapter (rank 8 on every linear layer, as the `transformer` backend adapts
its top six), trained with a linear head on the recipe's sample, weights and masked loss;
then `configs/default.json`'s MLP head and calibration are fitted over the new features
(the last layer's mean, now adapted, joined with the eighth's, unchanged) and scored as
probe_language_centring.py scores: the cross-lingual folds (ar, fr, de left out: a fine-tune
without them), the full fit's test split, neutral sets and functional suite.

Why it is affordable: the frozen layers' output, the eighth layer's token states, is
computed once for every text the probe reads (about 136,000; 11 minutes, 3.8 GB of float16
under the cache folder) and training runs the top four layers alone. A fine-tune of one
epoch of the 60,000-row sample then takes about 20 minutes with its scoring (27 for the full
fit, which scores the whole test split, the neutral sets and the suite), the whole probe (the
full fit and three folds) about 85. Texts are cut at 128 tokens everywhere; `--epochs 0` is the
frozen encoder read the same way, the baseline to compare with.

    python benchmarks/probe_top_layer_lora.py                      # 1 epoch, rank 8, lr 2e-4
    python benchmarks/probe_top_layer_lora.py --epochs 0           # the frozen baseline
    python benchmarks/probe_top_layer_lora.py --folds ar --no-full # one fold only

Needs torch (`make demo` installs it). Adds its entries to
benchmarks/results/probe_top_layer_lora.json, keyed by the settings.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from probe_scoring import TEST_LANGUAGES, calibrated, decide, fit_recipe_head, functional_rates, mlp_logits, scored
from transformers.masking_utils import create_bidirectional_mask

from extremism_nlp.data.corpus import load_corpus
from extremism_nlp.embeddings import encoder_identity, text_key
from extremism_nlp.evaluation.functional import load_suite
from extremism_nlp.evaluation.protocols import PARALLEL_SOURCES, load_neutral, written_alongside
from extremism_nlp.labels import LABELS
from extremism_nlp.models.calibration import apply_platt
from extremism_nlp.models.transformer import BatchTokenizer, _load_encoder_for_inference, resolve_base
from extremism_nlp.paths import cache_root
from extremism_nlp.text import encoder_input
from extremism_nlp.training.config import recipe_configs
from extremism_nlp.training.frozen_encoder import balanced_within, label_balanced_weights
from extremism_nlp.training.run import plain_rows, protocol_corpus
from extremism_nlp.training.sampling import SAMPLE_WEIGHT

PREFIX = "query: "
FROZEN_LAYERS = 8  # the output of layer 8 is the recipe's second pooled layer (hidden state -5)
MAX_LENGTH = 128
BATCH_ROWS = 32
HEAD_LEARNING_RATE = 1e-3
RESULTS = Path(__file__).parent / "results" / "probe_top_layer_lora.json"

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--epochs", type=float, default=1.0, help="passes over the sample (0: no fine-tuning, the baseline)")
parser.add_argument("--lr", type=float, default=2e-4, help="peak learning rate of the LoRA matrices (warm-up 6 %%, then linear decay)")
parser.add_argument("--rank", type=int, default=8, help="LoRA rank (alpha twice the rank)")
parser.add_argument("--folds", default="ar,fr,de", help="languages left out, one fine-tune each (empty: none)")
parser.add_argument("--no-full", action="store_true", help="skip the fit on every language")
args = parser.parse_args()
NAME = f"top 4 layers, LoRA rank {args.rank}, lr {args.lr}, epochs {args.epochs}"
torch.set_num_threads(2)
t0 = time.time()


def log(*parts) -> None:
    print(f"[{time.time() - t0:5.0f} s]", *parts, flush=True)


RECIPE = recipe_configs("configs/default.json")[0]
settings = RECIPE.backend
corpus = load_corpus(RECIPE.run.data_dir, RECIPE.run.sources, RECIPE.run.languages, RECIPE.run.commercial_only)
train, validation, test = protocol_corpus(RECIPE, corpus)["train"], corpus["validation"], corpus["test"]
neutral, cases = load_neutral(), load_suite()
encoder = _load_encoder_for_inference(settings.base).eval()


def key(text: str) -> bytes:
    return text_key(encoder_input(text))


def attention(states, mask):
    return create_bidirectional_mask(config=encoder.config, inputs_embeds=states, attention_mask=mask)


def run_layers(layers, states, mask):
    bias = attention(states, mask)
    for layer in layers:
        states = layer(states, bias)
    return states


def mean_pool(states, mask):
    weights = mask.unsqueeze(-1).to(states.dtype)
    return (states * weights).sum(1) / weights.sum(1).clamp(min=1.0)


class LayerStates:
    """The frozen layers' token states of texts, float16, by text key: one ``.npy`` of every
    token's state and an index (keys, first row, token count) beside it."""

    def __init__(self, texts: list[str]) -> None:
        base = resolve_base(settings.base)
        # named by the weights' checksum, as the embedding cache is: a new encoder build starts a new folder
        identity = hashlib.sha256(encoder_identity(base).encode()).hexdigest()[:16]
        folder = cache_root() / "layer-states" / f"{Path(base).name}-{identity}-layer{FROZEN_LAYERS}-{MAX_LENGTH}"
        unique = dict((key(text), text) for text in texts)
        if (folder / "index.npz").is_file():
            index = np.load(folder / "index.npz")
            self.rows = np.load(folder / "states.npy", mmap_mode="r")
            self.position = {bytes(k): i for i, k in enumerate(index["keys"])}
            if all(k in self.position for k in unique):
                self.starts, self.lengths = index["starts"], index["lengths"]
                return
        self._build(folder, list(unique.items()))

    def _build(self, folder: Path, items: list[tuple[bytes, str]]) -> None:
        tokenizer = BatchTokenizer(resolve_base(settings.base))
        ids = tokenizer.encode([PREFIX + text for _, text in items], MAX_LENGTH)
        self.lengths = np.array([len(row) for row in ids])
        self.starts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]])
        rows = np.zeros((self.lengths.sum(), encoder.config.hidden_size), dtype=np.float16)
        log(f"computing layer-{FROZEN_LAYERS} states of {len(items)} texts ({self.lengths.sum()} tokens)")
        order = np.argsort(self.lengths, kind="stable")  # by length: little padding in a batch
        with torch.inference_mode():
            for start in range(0, len(order), 64):
                chosen = order[start : start + 64]
                batch = tokenizer.pad([ids[i] for i in chosen])
                mask = torch.from_numpy(batch["attention_mask"])
                states = run_layers(encoder.encoder.layer[:FROZEN_LAYERS], encoder.embeddings(input_ids=torch.from_numpy(batch["input_ids"])), mask)
                for j, i in enumerate(chosen):
                    rows[self.starts[i] : self.starts[i] + self.lengths[i]] = states[j, : self.lengths[i]].numpy()
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "states.npy", rows)
        keys = np.frombuffer(b"".join(k for k, _ in items), dtype=np.uint8).reshape(len(items), -1)
        np.savez(folder / "index.npz", keys=keys, starts=self.starts, lengths=self.lengths)
        self.rows, self.position = rows, {k: i for i, (k, _) in enumerate(items)}
        log("states stored in", folder)

    def positions(self, texts) -> np.ndarray:
        return np.array([self.position[key(text)] for text in texts])

    def batch(self, positions: np.ndarray):
        """Padded float32 states and the attention mask of texts at ``positions``."""
        lengths = self.lengths[positions]
        states = np.zeros((len(positions), int(lengths.max()), self.rows.shape[1]), dtype=np.float32)
        mask = np.zeros(states.shape[:2], dtype=np.int64)
        for j, (p, n) in enumerate(zip(positions, lengths)):
            states[j, :n], mask[j, :n] = self.rows[self.starts[p] : self.starts[p] + n], 1
        return torch.from_numpy(states), torch.from_numpy(mask)


class LoRALinear(torch.nn.Module):
    """A frozen linear layer plus a trainable low-rank update B A (B starts at zero, so the
    adapted network starts as the frozen one); peft's LoRA with its default scaling."""

    def __init__(self, base: torch.nn.Linear, rank: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.base, self.scale = base, 2.0
        self.A = torch.nn.Parameter(torch.randn(rank, base.in_features) / math.sqrt(base.in_features))
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, rank))
        self.dropout = torch.nn.Dropout(dropout)

    def forward(self, x):
        return self.base(x) + (self.dropout(x) @ self.A.T @ self.B.T) * self.scale


def adapted_top_layers(seed: int) -> torch.nn.ModuleList:
    torch.manual_seed(seed)
    layers = copy.deepcopy(encoder.encoder.layer[FROZEN_LAYERS:])
    for parameter in layers.parameters():
        parameter.requires_grad_(False)
    for module in list(layers.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, torch.nn.Linear) and name in ("query", "key", "value", "dense"):
                setattr(module, name, LoRALinear(child, args.rank))
    return layers


def pooled(layers, states, mask):
    return torch.cat([mean_pool(run_layers(layers, states, mask), mask), mean_pool(states, mask)], 1)


def features(layers, positions: np.ndarray) -> np.ndarray:
    layers.eval()
    out = np.zeros((len(positions), 2 * encoder.config.hidden_size), dtype=np.float32)
    order = np.argsort(store.lengths[positions], kind="stable")
    with torch.inference_mode():
        for start in range(0, len(order), 128):
            chosen = order[start : start + 128]
            out[chosen] = pooled(layers, *store.batch(positions[chosen])).numpy()
    return out


def fine_tuned(keep: np.ndarray) -> torch.nn.ModuleList:
    """The top layers adapted on the sample's rows ``keep``, with a linear head over the
    standardised features that is then thrown away."""
    layers = adapted_top_layers(settings.seed)
    if args.epochs == 0:
        return layers
    positions, y, m = P_train[keep], y_train[keep], m_train[keep]
    weights = label_balanced_weights(y, m, balanced_within(w_train[keep] / w_train[keep].mean(), y, m, list(lang_train[keep])))
    frozen = features(layers, positions)
    mean, std = torch.from_numpy(frozen.mean(0)), torch.from_numpy(frozen.std(0) + 1e-6)
    head = torch.nn.Linear(frozen.shape[1], len(LABELS))
    lora = [p for p in layers.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(
        [{"params": lora, "lr": args.lr, "weight_decay": 0.0}, {"params": head.parameters(), "lr": HEAD_LEARNING_RATE, "weight_decay": 0.01}]
    )  # fmt: skip
    steps = int(args.epochs * len(positions) / BATCH_ROWS)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda i: min(1.0, i / (0.06 * steps)) * max(0.0, (steps - i) / steps))
    targets = torch.from_numpy(y.astype(np.float32))
    rng, done = np.random.default_rng(settings.seed), 0
    layers.train()
    while done < steps:
        # Batches of rows of about the same length (little padding), in random order.
        shuffled, batches = rng.permutation(len(positions)), []
        for start in range(0, len(shuffled), 50 * BATCH_ROWS):
            chunk = shuffled[start : start + 50 * BATCH_ROWS]
            chunk = chunk[np.argsort(store.lengths[positions[chunk]], kind="stable")]
            batches += [chunk[i : i + BATCH_ROWS] for i in range(0, len(chunk), BATCH_ROWS)]
        rng.shuffle(batches)
        for rows in batches[: steps - done]:
            logits = head((pooled(layers, *store.batch(positions[rows])) - mean) / std)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets[rows], reduction="none") * weights[rows]
            loss = loss.sum() / weights[rows].sum().clamp(min=1e-6)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            done += 1
            if done % 200 == 0:
                log(f"step {done}/{steps}, loss {loss.item():.3f}")
    return layers


def arrays(split):
    return np.asarray(split["labels"], dtype=np.int8), np.asarray(split["label_mask"], dtype=np.int8), np.asarray(split["lang"])


store = LayerStates(
    list(train["text"]) + list(validation["text"]) + list(test["text"]) + [t for ts in neutral.values() for t in ts] + [c.text for c in cases]
)  # fmt: skip
P_train, P_val, P_test = store.positions(train["text"]), store.positions(validation["text"]), store.positions(test["text"])
(y_train, m_train, lang_train), (y_val, m_val, lang_val), (y_test, m_test, lang_test) = arrays(train), arrays(validation), arrays(test)
w_train = np.asarray(train[SAMPLE_WEIGHT], dtype=np.float64)
parallel_train = np.isin(np.asarray(train["source"]), PARALLEL_SOURCES)
natural_test = ~np.isin(np.asarray(test["source"]), PARALLEL_SOURCES)
plain_val = plain_rows(validation)
results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
out = results.setdefault(NAME, {})


def head_and_thresholds(layers, keep, keep_val):
    """The recipe's head and thresholds over ``layers``' features, fitted on the sample's rows
    ``keep`` and calibrated on the validation rows ``keep_val``: a function from texts (their
    positions in the store) and languages to probabilities and decisions."""
    head = fit_recipe_head(settings, features(layers, P_train[keep]), y_train[keep], m_train[keep], w_train[keep], lang_train[keep])
    val_logits = mlp_logits(head, features(layers, P_val[keep_val]))
    fitted = calibrated(val_logits, y_val[keep_val], m_val[keep_val], lang_val[keep_val], plain_val[keep_val])

    def classify(positions, langs):
        probabilities = apply_platt(mlp_logits(head, features(layers, positions)), fitted.platt)
        return probabilities, decide(probabilities, langs, fitted.thresholds, fitted.per_language)

    return classify


def save() -> None:
    RESULTS.write_text(json.dumps(results, indent=1, default=float))


if not args.no_full:
    every = np.ones(len(P_train), dtype=bool)
    layers = fine_tuned(every)
    log("fine-tuned on every language")
    classify = head_and_thresholds(layers, every, np.ones(len(P_val), dtype=bool))
    probabilities, decided = classify(P_test, lang_test)
    for lang in TEST_LANGUAGES:
        rows = lang_test == lang
        figures = scored(y_test[rows], m_test[rows], probabilities[rows], decided[rows])
        out[f"test_{lang}"] = {"macro_f1": figures["macro_f1"], "hate": figures["labels"].get("hate")}
    out["neutral"] = {lang: int(classify(store.positions(texts), [lang] * len(texts))[1].any(axis=1).sum()) for lang, texts in neutral.items()}
    out["functional"] = functional_rates(cases, classify(store.positions([c.text for c in cases]), [c.lang for c in cases])[1])
    save()
    log(NAME, json.dumps({k: v["macro_f1"] if "macro_f1" in v else v for k, v in out.items()}))

for held in [lang for lang in args.folds.split(",") if lang]:
    keep = (lang_train != held) & ~(parallel_train & np.isin(lang_train, sorted(written_alongside(held))))
    classify = head_and_thresholds(fine_tuned(keep), keep, lang_val != held)
    rows = lang_test == held
    probabilities, decided = classify(P_test[rows], lang_test[rows])
    natural = natural_test[rows]
    out[f"xling_{held}"] = scored(y_test[rows], m_test[rows], probabilities, decided)
    out[f"xling_{held}_natural"] = scored(y_test[rows][natural], m_test[rows][natural], probabilities[natural], decided[natural])
    save()
    log(NAME, "left out", held, json.dumps({k: out[k]["macro_f1"] for k in (f"xling_{held}", f"xling_{held}_natural")}))
