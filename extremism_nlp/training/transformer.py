"""Fine-tuning the transformer backend with the transformers `Trainer`: LoRA adapter (peft)
and a multi-label head, label-masked and class-weighted loss, languages re-weighted,
evaluation per language on the validation split every epoch, early stopping, fixed seeds,
resumable checkpoints. The same code runs on a GPU unchanged (the Trainer picks the device)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..extras import require
from ..labels import LABELS
from ..models import CONFIG_FILE, resolve_model_path
from ..models.base import ModelInfo
from ..models.transformer import ADAPTER_FILE, DEFAULT_LORA, BatchTokenizer, TransformerModel, _classifier, _load_encoder, _require_torch
from .config import SampledConfig, setting
from .sampling import language_sample, sample

if TYPE_CHECKING:
    from .config import TrainingConfig

logger = logging.getLogger(__name__)


@dataclass
class TransformerConfig(SampledConfig):
    """Settings of the `transformer` backend."""

    base: str = setting("multilingual-e5-small", "base encoder (name, folder or hub id)")
    epochs: float = setting(2.0, "training epochs (early stopping may end sooner)")
    batch_size: int = setting(32, "training batch size")
    learning_rate: float = setting(3e-4, "peak learning rate (LoRA and head)")
    max_length: int = setting(128, "tokens per training text (longer ones are cut)")
    patience: int = setting(1, "epochs without a better validation macro-F1 before training stops")
    max_eval_rows: int | None = setting(4000, "cap on validation rows evaluated each epoch")
    checkpoint_dir: str | None = setting(None, "where resumable checkpoints go (default: OUTPUT-checkpoints)")
    init_from: str | None = setting(None, "start from this trained transformer's adapter and head (name or folder)")
    train_languages: list[str] | None = setting(
        None, "train only on rows in these languages (validation and test stay whole)"
    )  # fmt: skip


# -- the network ------------------------------------------------------------------------


def build_network(base: str, lora: dict[str, Any], n_labels: int = len(LABELS)) -> Any:
    """Base encoder with a LoRA adapter (peft) and a linear head on mean pooling: the
    network that is trained."""
    peft = require("peft", "train", "fine-tuning a transformer")
    encoder = _load_encoder(base)
    n_layers = int(encoder.config.num_hidden_layers)
    top = lora.get("top_layers")
    layers = list(range(max(0, n_layers - int(top)), n_layers)) if top else None
    config = peft.LoraConfig(
        r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=lora["dropout"], target_modules=lora["target_modules"],
        layers_to_transform=layers,
    )  # fmt: skip
    return _classifier(peft.get_peft_model(encoder, config), n_labels)


def trainable_state(network: Any) -> dict[str, Any]:
    """The tensors that are saved: LoRA matrices and the head."""
    return {name: tensor.detach().cpu().contiguous() for name, tensor in network.state_dict().items() if "lora_" in name or name.startswith("head.")}


def merge_adapter(network: Any) -> Any:
    """Merge LoRA into the base weights (in place; returns the network in eval mode):
    inference then costs what the plain encoder costs."""
    network.encoder = network.encoder.merge_and_unload()
    return network.eval()


def _warm_start(network: Any, reference: str, base: str, lora: dict[str, Any]) -> dict[str, str]:
    """Load a trained transformer's LoRA matrices and head into ``network``; returns the
    name and version it came from. Its base and adapter shape must be the ones trained here."""
    from safetensors.torch import load_file

    folder = resolve_model_path(reference)
    source = ModelInfo.from_file(folder / CONFIG_FILE)
    if source.model_type != "transformer" or source.backend.get("base") != base or source.backend.get("lora", DEFAULT_LORA) != lora:
        raise ValueError(
            f"--init-from {reference!r} is a {source.model_type} model on {source.backend.get('base')!r}; training needs "
            f"a transformer on {base!r} with the adapter {lora}"
        )
    missing, unexpected = network.load_state_dict(load_file(str(folder / ADAPTER_FILE)), strict=False)
    untouched = [name for name in missing if "lora_" in name or name.startswith("head.")]
    if unexpected or untouched:
        raise ValueError(f"the adapter of {reference!r} does not fit this network: {(unexpected or untouched)[:3]}")
    return {"name": source.name, "version": source.version}


# -- the loss and the metric ----------------------------------------------------------------


def _positive_weights(targets: np.ndarray, mask: np.ndarray, cap: float = 30.0) -> np.ndarray:
    """Per-label weight of positives (negatives / positives among judged rows, capped):
    rare labels such as violence would otherwise barely move the loss."""
    positives = (targets * mask).sum(axis=0)
    negatives = ((1 - targets) * mask).sum(axis=0)
    return np.clip(negatives / np.maximum(positives, 1), 1.0, cap).astype(np.float32)


def _per_language_macro_f1(logits: np.ndarray, targets: np.ndarray, mask: np.ndarray, langs: list[str]) -> dict[str, float]:
    from ..evaluation.metrics import grouped_metrics

    predicted = (logits > 0).astype(np.int8)  # probability 0.5 before calibration
    groups = grouped_metrics(targets, predicted, None, langs, mask)
    return {("macro_f1" if g == "all" else f"macro_f1_{g}"): (v["macro_f1"] or 0.0) for g, v in groups.items() if g == "all" or v["rows"] >= 50}


def _masked_trainer(trainer_class: type, torch: Any, pos_weight: Any) -> type:
    """A Trainer whose loss is binary cross-entropy per label, over judged labels only,
    weighted by language."""

    class MaskedTrainer(trainer_class):
        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            labels, mask = inputs.pop("labels"), inputs.pop("label_mask")
            weight = inputs.pop("weight", None)
            logits = model(**inputs)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, labels, pos_weight=pos_weight.to(logits.device), reduction="none"
            ) * mask
            if weight is not None:
                loss = loss * weight[:, None]
            loss = loss.sum() / mask.sum().clamp(min=1.0)
            return (loss, {"logits": logits}) if return_outputs else loss

        def prediction_step(self, model, inputs, prediction_loss_only, ignore_keys=None):
            inputs = self._prepare_inputs(inputs)
            with torch.no_grad():
                loss, outputs = self.compute_loss(model, dict(inputs), return_outputs=True)
            return loss.detach(), outputs["logits"].detach(), inputs["labels"].detach()

    return MaskedTrainer


# -- the data -------------------------------------------------------------------------------


def _training_sample(corpus: Any, settings: TransformerConfig) -> tuple[Any, np.ndarray]:
    """The training rows (in ``train_languages`` if given) and their weights."""
    train_pool = corpus["train"]
    if settings.train_languages:
        wanted = set(settings.train_languages)
        train_pool = train_pool.filter(lambda lang: lang in wanted, input_columns="lang")
        if len(train_pool) == 0:
            raise ValueError(f"no training rows in the languages {sorted(wanted)}")
    return language_sample(train_pool, settings.max_train_rows, settings.language_balance, settings.seed)


def _tokenised(split: Any, tokenizer: BatchTokenizer, prefix: str, max_length: int, keep: tuple[str, ...]) -> Any:
    """``split`` with token ids, attention mask and length, and only the ``keep`` columns besides."""

    def encode(batch: dict[str, list]) -> dict[str, Any]:
        ids = tokenizer.encode([prefix + text for text in batch["text"]], max_length)
        return {"input_ids": ids, "attention_mask": [[1] * len(row) for row in ids], "length": [len(row) for row in ids]}

    return split.map(encode, batched=True, remove_columns=[c for c in split.column_names if c not in keep])


def _collator(torch: Any, pad: Any) -> Any:
    """Pads a batch of tokenised rows to its longest row."""

    def collate(rows: list[dict[str, Any]]) -> dict[str, Any]:
        length = max(len(row["input_ids"]) for row in rows)
        batch = {
            "input_ids": torch.tensor([row["input_ids"] + [pad] * (length - len(row["input_ids"])) for row in rows]),
            "attention_mask": torch.tensor([row["attention_mask"] + [0] * (length - len(row["attention_mask"])) for row in rows]),
            "labels": torch.tensor([row["labels"] for row in rows], dtype=torch.float32),
            "label_mask": torch.tensor([row["label_mask"] for row in rows], dtype=torch.float32),
        }
        if "weight" in rows[0]:
            batch["weight"] = torch.tensor([row["weight"] for row in rows], dtype=torch.float32)
        return batch

    return collate


# -- the run --------------------------------------------------------------------------------


def _checkpoint_folder(config: TrainingConfig, lora: dict[str, Any]) -> Path:
    """Checkpoints live in a folder named after the run's settings, so that a run resumes its
    own checkpoints and never another configuration's."""
    settings = {k: v for k, v in config.model_settings().items() if k not in ("output_dir", "checkpoint_dir")}
    settings["lora"] = lora
    run_id = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:10]
    checkpoint_dir: str | None = config.backend.checkpoint_dir
    return Path(checkpoint_dir or f"{config.output_dir}-checkpoints") / run_id


def _training_arguments(config: TrainingConfig, output: Path) -> Any:
    from transformers import TrainingArguments

    settings: TransformerConfig = config.backend
    return TrainingArguments(
        output_dir=str(output),
        num_train_epochs=settings.epochs,
        per_device_train_batch_size=settings.batch_size,
        per_device_eval_batch_size=64,
        learning_rate=settings.learning_rate,
        warmup_steps=0.06,  # a float is a share of all steps (transformers >= 5)
        weight_decay=0.01,
        eval_strategy="epoch",
        save_strategy="epoch",
        save_total_limit=2,
        load_best_model_at_end=True,
        metric_for_best_model="macro_f1",
        greater_is_better=True,
        logging_steps=20,
        seed=settings.seed,
        data_seed=settings.seed,
        report_to=[],
        remove_unused_columns=False,
        label_names=["labels"],
        train_sampling_strategy="group_by_length",  # batches of similar length: far less padding
        length_column_name="length",
        disable_tqdm=not config.run.show_progress,
    )


def fit(config: TrainingConfig, corpus: Any) -> TransformerModel:
    """Fine-tune and return the model (not yet calibrated: `training.run.finalize` does that)."""
    torch = _require_torch()
    require("peft", "train", "fine-tuning a transformer")
    require("accelerate", "train", "fine-tuning a transformer")  # the Trainer needs it
    from transformers import EarlyStoppingCallback, Trainer, set_seed

    settings: TransformerConfig = config.backend
    set_seed(settings.seed)
    lora = dict(DEFAULT_LORA)
    prefix = "query: " if "e5" in settings.base.lower() else ""
    info = ModelInfo(
        model_type="transformer",
        name=config.name,
        version=config.version,
        backend={"base": settings.base, "prefix": prefix, "max_length": 512, "lora": lora, "batch_size": 32},
    )
    tokenizer = BatchTokenizer(settings.base)
    network = build_network(settings.base, lora)
    if settings.init_from:
        info.training["initialised_from"] = _warm_start(network, settings.init_from, settings.base, lora)
    info.backend["max_length"] = min(512, int(network.encoder.config.max_position_embeddings))

    train_split, weights = _training_sample(corpus, settings)
    val_split = sample(corpus["validation"], settings.max_eval_rows)
    train_targets = np.asarray(train_split["labels"], dtype=np.float32)
    train_mask = np.asarray(train_split["label_mask"], dtype=np.float32)
    pos_weight = torch.tensor(_positive_weights(train_targets, train_mask))
    keep = ("labels", "label_mask", "length")
    train_ds = _tokenised(train_split.add_column("weight", weights.tolist()), tokenizer, prefix, settings.max_length, (*keep, "weight"))
    val_ds = _tokenised(val_split, tokenizer, prefix, settings.max_length, keep)
    val_langs = list(val_split["lang"])
    val_mask = np.asarray(val_split["label_mask"], dtype=np.int8)

    def compute_metrics(prediction: Any) -> dict[str, float]:
        logits, targets = prediction.predictions, prediction.label_ids.astype(np.int8)
        return _per_language_macro_f1(logits, targets, val_mask, val_langs)

    output = _checkpoint_folder(config, lora)
    trainer = _masked_trainer(Trainer, torch, pos_weight)(
        model=network, args=_training_arguments(config, output), train_dataset=train_ds, eval_dataset=val_ds,
        data_collator=_collator(torch, tokenizer.pad_id), compute_metrics=compute_metrics,
        callbacks=[EarlyStoppingCallback(early_stopping_patience=settings.patience)],
    )  # fmt: skip
    resume = output.is_dir() and any(output.glob("checkpoint-*"))
    if resume:
        logger.info("resuming from the last checkpoint in %s", output)
    trainer.train(resume_from_checkpoint=True if resume else None)
    info.training["train_used"] = len(train_split)
    info.training["train_languages"] = dict(Counter(train_split["lang"]).most_common())
    info.training["epoch_metrics"] = [entry for entry in trainer.state.log_history if "eval_macro_f1" in entry]
    adapter = trainable_state(network)
    # The Trainer moves the network to a GPU where there is one; the model it returns scores
    # on the CPU, like every loaded model (calibration, testing and the ONNX export follow).
    return TransformerModel(info, merge_adapter(network.cpu()), tokenizer, adapter)
