"""Fitting the `frozen_encoder` backend: a head over the cached, mean-pooled embeddings of a
frozen multilingual encoder, either a logistic regression per label or (``head_hidden``) an
average of small networks with one hidden layer, fitted from different seeds.

Rows are weighted so that every (source, language) group counts, not only the largest
sources: the head should learn what hate is, not what Davidson's tweets look like.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data.registry import SOURCES
from ..extras import require
from ..labels import LABELS
from ..models.base import ModelInfo
from ..models.frozen_encoder import FrozenEncoderModel
from .config import SampledConfig, setting
from .sampling import carried_sample, draws_union, sample_rows, written_rows

if TYPE_CHECKING:
    from .config import TrainingConfig

logger = logging.getLogger(__name__)


@dataclass
class FrozenEncoderConfig(SampledConfig):
    """Settings of the `frozen_encoder` backend."""

    base: str = setting("multilingual-e5-small", "base encoder (name, folder or hub id)")
    max_length: int = setting(128, "tokens per training text (longer ones are cut)")
    head_c: float = setting(0.5, "inverse L2 strength of the head's logistic regressions")
    window_tokens: int = setting(
        256, "tokens the model reads at once at inference; longer texts are split into passages of about that many characters"
    )
    pool_layers: list[int] = setting(
        (-1,), "encoder layers mean-pooled and joined for the head (indices into the hidden states, -1 the last)"
    )
    min_group_rows: int | None = setting(
        None, "a (source, language) group with fewer rows weighs in proportion to its rows (`sampling.sample_rows`); None: every group alike"
    )
    group_streams: bool | None = setting(
        None, "draw each (source, language) group's rows from a random stream of its own, so that rows added to one "
        "group leave the other groups' draws alone (`sampling.sample_rows`); None or False: one stream, as models up to 0.15.0 drew"
    )
    balance_within_language: bool = setting(
        False, "per label, give the positives and negatives of each language the same total weight (`balanced_within`)"
    )
    head_hidden: int = setting(0, "hidden units of each network of an MLP head; 0: a logistic regression per label (head_c)")
    head_networks: int = setting(5, "MLP head: networks fitted from seeds seed, seed + 1, ... whose logits are averaged")
    draw_per_network: bool | None = setting(
        None, "MLP head: each network fitted on a training sample of its own, drawn with its seed (`training_sample`); "
        "None or False: every network on the one sample, as models up to 0.15.0 were"
    )
    head_epochs: int = setting(12, "MLP head: passes over the training sample")
    head_weight_decay: float = setting(0.05, "MLP head: AdamW weight decay (larger: smoother scores away from the training rows)")
    everyday_weight: float | None = setting(
        None, "multiplier on the sample weight of the written everyday texts (plain sentences and their look-alikes); None: 1"
    )
    contrast_weight: float | None = setting(
        None, "multiplier on the sample weight of the written non-harmful texts that mention groups or hate (CONTRAST_KINDS); None: 1"
    )
    source_weights: dict[str, float] | None = setting(
        None, "multiplier on the sample weight of each named source's rows, e.g. {\"ud_plain\": 0.25}; sources not named: 1"
    )

    def __post_init__(self) -> None:
        if self.draw_per_network and not self.head_hidden:
            raise ValueError("draw_per_network needs an MLP head (head_hidden > 0): a logistic regression head is one fit")
        if self.source_weights is not None and not isinstance(self.source_weights, dict):
            raise ValueError(f"source_weights must map source names to weights, got {self.source_weights!r}")
        for source, weight in (self.source_weights or {}).items():
            if source not in SOURCES:
                raise ValueError(f"source_weights names {source!r}, which is not a corpus source; sources: {sorted(SOURCES)}")
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight < float("inf"):
                raise ValueError(f"source_weights[{source!r}] must be a finite number >= 0, got {weight!r}")


CONTRAST_KINDS = (
    "neutral_group", "positive_identity", "negated", "counter_speech", "counter_speech_quote", "quote_to_condemn", "reporting",
    "counter_terrorism", "group_question", "group_opinion", "group_pronoun",
)  # fmt: skip
"""Kinds of written non-harmful examples that mention a group, hate or terrorism without
using them: the contrasts to the harmful kinds (data/DATASHEET.md, "Examples written for the project")."""


def group_keys(split: Any) -> list[str]:
    """The (source, language) group of every row."""
    return [f"{source}|{lang}" for source, lang in zip(split["source"], split["lang"])]


def training_sample(split: Any, settings: FrozenEncoderConfig) -> tuple[Any, np.ndarray]:
    """The rows the head is fitted on and their weights: a (source, language)-balanced
    sample, or the sample a protocol fold carries (`sampling.carried_sample`).

    With ``draw_per_network``, each network's sample is drawn with its own seed (seed, seed
    + 1, ...): the rows are the draws' union and the weights a matrix (rows, networks), 0
    where a network's draw did not take the row. Why: small groups are taken whole by every
    draw, while each draw takes other rows of the large sources, so the average sees about
    twice as many of their rows. Measured: held-out sources are ranked a little better; the
    neutral and counter-speech counts stay as unsteady, since the thresholds' floor decides
    them (docs/MODELS.md, "Probe: a draw per network, and what the plain-text floor decides")."""
    carried = carried_sample(split)
    if carried is not None:
        return carried
    draws = [
        sample_rows(
            split, settings.max_train_rows, settings.language_balance, settings.seed + k, ("source", "lang"), settings.min_group_rows,
            bool(settings.group_streams),
        )  # fmt: skip
        for k in range(settings.head_networks if settings.draw_per_network else 1)
    ]
    indices, weights = draws_union(draws) if settings.draw_per_network else draws[0]
    rows = split.select(indices.tolist())

    def times(factor: np.ndarray) -> np.ndarray:  # a per-row factor on one weight column or several
        return weights * (factor[:, None] if weights.ndim == 2 else factor)

    if settings.everyday_weight is not None:
        # Plain text taught more firmly: the plain validation texts then score lower, and so
        # does the thresholds' floor they set (docs/MODELS.md, "Sixth round").
        weights = times(np.where(written_rows(rows, ("everyday",)), settings.everyday_weight, 1.0))
    if settings.contrast_weight is not None:
        # Mention taught more firmly: fewer plain sentences flagged, less natural hate caught
        # (docs/MODELS.md, "Seventh round").
        weights = times(np.where(written_rows(rows, CONTRAST_KINDS), settings.contrast_weight, 1.0))
    if settings.source_weights:
        # A source that should inform the head without taking a whole group's weight from
        # the written texts of its language (docs/MODELS.md, "Probe: edited prose at a lower weight").
        weights = times(np.array([settings.source_weights.get(source, 1.0) for source in rows["source"]]))
    return rows, weights


def balanced_within(weights: np.ndarray, targets: np.ndarray, mask: np.ndarray, groups: list[str]) -> np.ndarray:
    """Row weights per label (n, len(LABELS)): within each group (a language) the judged
    positives and negatives of a label are scaled to the same total weight, the group's
    total kept. A group with only positives or only negatives keeps its weights.

    Why: where one language's rows are mostly offensive (Roman Urdu) and another's mostly
    plain, a head learns the language itself as evidence, and plain sentences in the first
    score as offensive while hate in a language it never saw scores near zero. With the
    label's rate equal in every language, the language says nothing about the label."""
    keys = np.asarray(groups)
    out = np.repeat(np.asarray(weights, dtype=np.float64)[:, None], targets.shape[1], axis=1)
    for group in np.unique(keys):
        in_group = keys == group
        for k in range(targets.shape[1]):
            judged = in_group & mask[:, k].astype(bool)
            positive, negative = judged & (targets[:, k] == 1), judged & (targets[:, k] == 0)
            w_pos, w_neg = out[positive, k].sum(), out[negative, k].sum()
            if w_pos > 0 and w_neg > 0:
                out[positive, k] *= (w_pos + w_neg) / (2 * w_pos)
                out[negative, k] *= (w_pos + w_neg) / (2 * w_neg)
    return out


def fit_head(
    embeddings: np.ndarray, targets: np.ndarray, mask: np.ndarray, weights: np.ndarray, c: float
) -> tuple[np.ndarray, np.ndarray]:
    """Weights (len(LABELS), hidden) and biases of one class-balanced logistic regression per
    label, each on the rows judged for it, with row ``weights`` (n,) or per label (n,
    len(LABELS)). Features are standardised for the solver and the scaling folded back into
    the weights, so the head applies to raw embeddings."""
    linear_model = require("sklearn.linear_model", "train", "fitting the frozen encoder's head")

    mean, std = embeddings.mean(axis=0), embeddings.std(axis=0) + 1e-6
    scaled = (embeddings - mean) / std
    weight = np.zeros((len(LABELS), embeddings.shape[1]))
    bias = np.zeros(len(LABELS))
    for k, label in enumerate(LABELS):
        rows = mask[:, k].astype(bool)
        y = targets[rows, k]
        if len(y) == 0 or y.min() == y.max():
            raise ValueError(f"label {label!r} needs positive and negative training rows")
        regression = linear_model.LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        regression.fit(scaled[rows], y, sample_weight=(weights[rows, k] if weights.ndim == 2 else weights[rows]))
        weight[k] = regression.coef_[0] / std
        bias[k] = regression.intercept_[0] - float(np.dot(weight[k], mean))
    return weight, bias


# The MLP head's optimisation, chosen with the generalisation protocols (docs/MODELS.md)
MLP_DROPOUT = 0.3
MLP_LEARNING_RATE = 1e-3
MLP_BATCH_ROWS = 256


def label_balanced_weights(targets: np.ndarray, mask: np.ndarray, weights: np.ndarray) -> Any:
    """The loss weights (n, len(LABELS)) of the MLP head, as a float32 tensor: row ``weights``
    ((n,) or per label) of the rows judged for each label, its positives and negatives brought
    to the same total, each label's column scaled to a mean of 1 over the rows."""
    torch = require("torch", "train", "fitting the MLP head")

    y = torch.from_numpy(np.asarray(targets, dtype=np.float32))
    row_weights = np.asarray(weights, dtype=np.float64)
    w = torch.from_numpy((row_weights if row_weights.ndim == 2 else np.repeat(row_weights[:, None], y.shape[1], axis=1)).astype(np.float32))
    w = w * torch.from_numpy(np.asarray(mask, dtype=np.float32))
    for k in range(y.shape[1]):
        positive, negative = (w[:, k] * y[:, k]).sum(), (w[:, k] * (1 - y[:, k])).sum()
        if positive == 0 or negative == 0:
            raise ValueError(f"label {LABELS[k]!r} needs positive and negative training rows")
        w[:, k] = torch.where(y[:, k] > 0, w[:, k] * (positive + negative) / (2 * positive), w[:, k] * (positive + negative) / (2 * negative))
    return w / w.sum(0, keepdim=True) * len(w)


def fit_mlp_head(
    embeddings: np.ndarray,
    targets: np.ndarray,
    mask: np.ndarray,
    weights: np.ndarray,
    hidden: int,
    networks: int,
    epochs: int,
    seed: int,
    weight_decay: float = 0.05,
) -> dict[str, Any]:
    """The head tensors (``head.0.*``: standardisation folded into the hidden layer,
    ``head.2.*``: the output layer) of ``networks`` networks with ``hidden`` GELU units
    each, fitted from seeds ``seed, seed + 1, ...`` and averaged: the average of their
    logits is one network whose hidden layer holds all of theirs side by side and whose
    output layer is theirs divided by ``networks``.

    Each label's loss counts only the rows judged for it, with row ``weights`` (n,) or (n,
    len(LABELS)), its positives and negatives brought to the same total weight (as
    class_weight="balanced" does for the logistic regressions). Why several: one network's
    thresholds and pass rates move by up to ten points with its seed; the average of five
    moves less (the neutral sets' count still by about a fifth: docs/MODELS.md)."""
    torch = require("torch", "train", "fitting the MLP head")

    x = torch.from_numpy(np.asarray(embeddings, dtype=np.float32))
    y = torch.from_numpy(np.asarray(targets, dtype=np.float32))
    w = label_balanced_weights(targets, mask, weights)
    mean, std = x.mean(0), x.std(0) + 1e-6
    scaled = (x - mean) / std
    parts = []
    for k in range(networks):
        torch.manual_seed(seed + k)
        net = mlp_network(x.shape[1], hidden, y.shape[1])
        optimiser = torch.optim.AdamW(net.parameters(), lr=MLP_LEARNING_RATE, weight_decay=weight_decay)
        for _ in range(epochs):
            net.train()
            for rows in torch.randperm(len(x)).split(MLP_BATCH_ROWS):
                loss = torch.nn.functional.binary_cross_entropy_with_logits(net(scaled[rows]), y[rows], reduction="none") * w[rows]
                optimiser.zero_grad()
                (loss.sum() / w[rows].sum().clamp(min=1e-6)).backward()
                optimiser.step()
        parts.append(net.eval())
    return folded_head(parts, mean, std)


def mlp_network(inputs: int, hidden: int, outputs: int) -> Any:
    """One network of the MLP head: ``hidden`` GELU units with dropout, ``outputs`` logits."""
    torch = require("torch", "train", "fitting the MLP head")

    return torch.nn.Sequential(torch.nn.Linear(inputs, hidden), torch.nn.GELU(), torch.nn.Dropout(MLP_DROPOUT), torch.nn.Linear(hidden, outputs))


def folded_head(networks: list[Any], mean: Any, std: Any) -> dict[str, Any]:
    """The head tensors of `mlp_network`s fitted on embeddings standardised by ``mean`` and
    ``std``: each network's standardisation folded into its first layer, so that the head
    applies to raw embeddings, and their logits averaged (`merged_heads`)."""
    torch = require("torch", "train", "fitting the MLP head")

    with torch.no_grad():
        return merged_heads([
            {"head.0.weight": net[0].weight / std, "head.0.bias": net[0].bias - (net[0].weight / std) @ mean,
             "head.2.weight": net[3].weight, "head.2.bias": net[3].bias}
            for net in networks
        ])  # fmt: skip


def merged_heads(heads: list[dict[str, Any]]) -> dict[str, Any]:
    """One MLP head whose logits are the average of ``heads``' logits: their hidden layers
    side by side, their output layers joined and divided by their number."""
    torch = require("torch", "train", "fitting the MLP head")

    return {
        "head.0.weight": torch.cat([head["head.0.weight"] for head in heads]).contiguous(),
        "head.0.bias": torch.cat([head["head.0.bias"] for head in heads]),
        "head.2.weight": (torch.cat([head["head.2.weight"] for head in heads], dim=1) / len(heads)).contiguous(),
        "head.2.bias": torch.stack([head["head.2.bias"] for head in heads]).mean(0),
    }


def fit(config: TrainingConfig, corpus: Any) -> FrozenEncoderModel:
    """Embed a (source, language)-balanced sample of the train split with the frozen encoder
    (cached) and fit the head. Returns the model, not yet calibrated (`training.run.finalize`
    does that)."""
    import torch

    from ..embeddings import EmbeddingCache
    from ..models.transformer import BatchTokenizer, merged_network, resolve_base

    settings: FrozenEncoderConfig = config.backend
    prefix = "query: " if "e5" in settings.base.lower() else ""
    train_split, weights = training_sample(corpus["train"], settings)
    pool_layers = [int(layer) for layer in settings.pool_layers]
    cache = EmbeddingCache(settings.base, prefix, pool_layers=pool_layers)
    logger.info("embedding %d training rows (cached in %s)", len(train_split), cache.folder)
    embeddings = cache.embed(list(train_split["text"]), settings.max_length, show_progress=config.run.show_progress)
    targets = np.asarray(train_split["labels"], dtype=np.int8)
    mask = np.asarray(train_split["label_mask"], dtype=np.int8)
    langs = np.asarray(train_split["lang"])
    # One fit per draw: every network on its own draw (a weight column each), or one fit of
    # all networks on every row.
    per_network = weights.ndim == 2
    draws: list[Any] = [np.flatnonzero(column > 0) for column in weights.T] if per_network else [slice(None)]
    heads = []
    for k, rows in enumerate(draws):
        draw_weights = weights[rows, k] if per_network else weights
        if settings.balance_within_language:
            draw_weights = balanced_within(draw_weights, targets[rows], mask[rows], list(langs[rows]))
        if settings.head_hidden:
            heads.append(fit_mlp_head(
                embeddings[rows], targets[rows], mask[rows], draw_weights, settings.head_hidden,
                1 if per_network else settings.head_networks, settings.head_epochs, settings.seed + k, settings.head_weight_decay,
            ))  # fmt: skip
        else:
            weight, bias = fit_head(embeddings[rows], targets[rows], mask[rows], draw_weights, settings.head_c)
            heads.append({"head.weight": torch.tensor(weight, dtype=torch.float32), "head.bias": torch.tensor(bias, dtype=torch.float32)})
    adapter = merged_heads(heads) if per_network else heads[0]
    head_hidden = settings.head_hidden * settings.head_networks or None

    base = resolve_base(settings.base)
    info = ModelInfo(
        model_type="frozen_encoder",
        name=config.name,
        version=config.version,
        backend={
            "base": settings.base, "prefix": prefix, "max_length": 512, "lora": None, "batch_size": 32,
            "pool_layers": pool_layers, "balance_within_language": settings.balance_within_language, "head_hidden": head_hidden,
        },  # fmt: skip
    )
    if not head_hidden:  # what the linear head was fitted with (an MLP head has no C)
        info.backend["head_c"] = settings.head_c
    network = merged_network(base, adapter, None, pool_layers=pool_layers, head_hidden=head_hidden)
    # The window the encoder can read, as the transformer backend records it: a base with
    # fewer than 512 positions would fail on longer passages.
    info.backend["max_length"] = min(settings.window_tokens, int(network.encoder.config.max_position_embeddings))
    model = FrozenEncoderModel(info, network, BatchTokenizer(base), adapter, base=base)
    model.embedding_cache = cache  # calibration and test reuse cached embeddings of texts the cut left whole
    info.training["train_used"] = len(train_split)
    if per_network:
        info.training["train_used_per_network"] = [int(n) for n in (weights > 0).sum(0)]
    info.training["train_languages"] = dict(Counter(train_split["lang"]).most_common())
    info.training["train_groups"] = dict(Counter(group_keys(train_split)).most_common())
    return model
