"""Fine-tuning the transformer backend with the transformers `Trainer`: LoRA adapter and a
multi-label head, label-masked and class-weighted loss, languages re-weighted, evaluation
per language on the validation split every epoch, early stopping, fixed seeds, resumable
checkpoints. The same code runs on a GPU unchanged (the Trainer picks the device)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from .models.base import ModelInfo
from .models.transformer import (
    DEFAULT_LORA, BatchTokenizer, TransformerModel, _require_torch, build_network, merge_adapter, trainable_state,
)  # fmt: skip
from .training import TrainingConfig, _sample, language_sample

logger = logging.getLogger(__name__)


def _positive_weights(targets: np.ndarray, mask: np.ndarray, cap: float = 30.0) -> np.ndarray:
    """Per-label weight of positives (negatives / positives among judged rows, capped):
    rare labels such as violence would otherwise barely move the loss."""
    positives = (targets * mask).sum(axis=0)
    negatives = ((1 - targets) * mask).sum(axis=0)
    return np.clip(negatives / np.maximum(positives, 1), 1.0, cap).astype(np.float32)


def _per_language_macro_f1(logits: np.ndarray, targets: np.ndarray, mask: np.ndarray, langs: list[str]) -> dict[str, float]:
    from .evaluation.metrics import grouped_metrics

    predicted = (logits > 0).astype(np.int8)  # probability 0.5 before calibration
    groups = grouped_metrics(targets, predicted, None, langs, mask)
    return {("macro_f1" if g == "all" else f"macro_f1_{g}"): (v["macro_f1"] or 0.0) for g, v in groups.items() if g == "all" or v["rows"] >= 50}


def _warm_start(network, reference: str, base: str, lora: dict[str, Any]) -> dict[str, str]:
    """Load a trained transformer's LoRA matrices and head into ``network``; returns the
    name and version it came from. Its base and adapter shape must be the ones trained here."""
    from safetensors.torch import load_file

    from .models import resolve_model_path
    from .models.base import CONFIG_FILE
    from .models.transformer import ADAPTER_FILE

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


def train_transformer(config: TrainingConfig, corpus) -> TransformerModel:
    """Fine-tune and return the model (not yet calibrated: `training.finalize` does that)."""
    torch = _require_torch()
    from transformers import EarlyStoppingCallback, Trainer, TrainingArguments, set_seed

    set_seed(config.seed)
    lora = dict(DEFAULT_LORA)
    prefix = "query: " if "e5" in config.base.lower() else ""
    info = ModelInfo(
        model_type="transformer",
        name=config.name,
        version=config.version,
        backend={"base": config.base, "prefix": prefix, "max_length": 512, "lora": lora, "batch_size": 32},
    )
    tokenizer = BatchTokenizer(config.base)
    network = build_network(config.base, lora)
    if config.init_from:
        info.training["initialised_from"] = _warm_start(network, config.init_from, config.base, lora)
    info.backend["max_length"] = min(512, int(network.encoder.config.max_position_embeddings))

    train_pool = corpus["train"]
    if config.train_languages:
        wanted = set(config.train_languages)
        train_pool = train_pool.filter(lambda lang: lang in wanted, input_columns="lang")
        if len(train_pool) == 0:
            raise ValueError(f"no training rows in the languages {sorted(wanted)}")
    train_split, weights = language_sample(train_pool, config.max_train_rows, config.language_balance, config.seed)
    val_split = _sample(corpus["validation"], config.max_eval_rows)
    train_targets = np.asarray(train_split["labels"], dtype=np.float32)
    train_mask = np.asarray(train_split["label_mask"], dtype=np.float32)
    pos_weight = torch.tensor(_positive_weights(train_targets, train_mask))

    def encode(batch: dict[str, list]) -> dict[str, Any]:
        ids = tokenizer.encode([prefix + text for text in batch["text"]], config.max_length)
        return {"input_ids": ids, "attention_mask": [[1] * len(row) for row in ids], "length": [len(row) for row in ids]}

    keep = ["labels", "label_mask", "length"]
    train_ds = train_split.add_column("weight", weights.tolist())
    train_ds = train_ds.map(encode, batched=True, remove_columns=[c for c in train_ds.column_names if c not in (*keep, "weight")])
    val_ds = val_split.map(encode, batched=True, remove_columns=[c for c in val_split.column_names if c not in keep])
    val_langs = list(val_split["lang"])
    val_mask = np.asarray(val_split["label_mask"], dtype=np.int8)

    def collate(rows: list[dict[str, Any]]) -> dict[str, Any]:
        length = max(len(row["input_ids"]) for row in rows)
        pad = tokenizer.pad_id
        batch = {
            "input_ids": torch.tensor([row["input_ids"] + [pad] * (length - len(row["input_ids"])) for row in rows]),
            "attention_mask": torch.tensor([row["attention_mask"] + [0] * (length - len(row["attention_mask"])) for row in rows]),
            "labels": torch.tensor([row["labels"] for row in rows], dtype=torch.float32),
            "label_mask": torch.tensor([row["label_mask"] for row in rows], dtype=torch.float32),
        }
        if "weight" in rows[0]:
            batch["weight"] = torch.tensor([row["weight"] for row in rows], dtype=torch.float32)
        return batch

    class MaskedTrainer(Trainer):
        """Binary cross-entropy per label, over judged labels only, weighted by language."""

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

    def compute_metrics(prediction) -> dict[str, float]:
        logits, targets = prediction.predictions, prediction.label_ids.astype(np.int8)
        return _per_language_macro_f1(logits, targets, val_mask, val_langs)

    # Checkpoints live in a folder named after the run's settings, so that a run resumes its
    # own checkpoints and never another configuration's.
    settings = {k: v for k, v in asdict(config).items() if k not in ("show_progress", "output_dir", "checkpoint_dir")}
    settings["lora"] = lora
    run_id = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:10]
    output = Path(config.checkpoint_dir or f"{config.output_dir}-checkpoints") / run_id
    args = TrainingArguments(
        output_dir=str(output),
        num_train_epochs=config.epochs,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=64,
        learning_rate=config.learning_rate,
        warmup_steps=0.06,  # a float is a share of all steps (transformers >= 5)
        weight_decay=0.01,
        eval_strategy="epoch",
        save_strategy="epoch",
        save_total_limit=2,
        load_best_model_at_end=True,
        metric_for_best_model="macro_f1",
        greater_is_better=True,
        logging_steps=20,
        seed=config.seed,
        data_seed=config.seed,
        report_to=[],
        remove_unused_columns=False,
        label_names=["labels"],
        train_sampling_strategy="group_by_length",  # batches of similar length: far less padding
        length_column_name="length",
        disable_tqdm=not config.show_progress,
    )
    trainer = MaskedTrainer(
        model=network, args=args, train_dataset=train_ds, eval_dataset=val_ds, data_collator=collate,
        compute_metrics=compute_metrics, callbacks=[EarlyStoppingCallback(early_stopping_patience=config.patience)],
    )  # fmt: skip
    resume = output.is_dir() and any(output.glob("checkpoint-*"))
    if resume:
        logger.info("resuming from the last checkpoint in %s", output)
    trainer.train(resume_from_checkpoint=True if resume else None)
    info.training["train_used"] = len(train_split)
    info.training["train_languages"] = dict(Counter(train_split["lang"]).most_common())
    info.training["epoch_metrics"] = [entry for entry in trainer.state.log_history if "eval_macro_f1" in entry]
    adapter = trainable_state(network)
    return TransformerModel(info, merge_adapter(network), tokenizer, adapter)
