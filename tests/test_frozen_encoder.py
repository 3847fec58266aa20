"""The frozen_encoder backend and the embedding cache, on the tiny random BERT of
test_transformer (no network, seconds)."""

import importlib.util

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from extremism_nlp import Classifier  # noqa: E402
from extremism_nlp.embeddings import EmbeddingCache  # noqa: E402
from extremism_nlp.labels import LABELS  # noqa: E402
from extremism_nlp.models import load_model  # noqa: E402
from extremism_nlp.models.transformer import ADAPTER_FILE, merged_network  # noqa: E402
from extremism_nlp.training import TrainingConfig, train  # noqa: E402
from test_transformer import tiny_bert  # noqa: E402,F401 (fixture)


@pytest.fixture(scope="module")
def frozen(tiny_bert, tmp_path_factory):  # noqa: F811
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from raw_fixtures import make_raw_data_dir

    root = tmp_path_factory.mktemp("frozen")
    config = TrainingConfig(
        model="frozen_encoder", name="tiny-frozen", base=str(tiny_bert), data_dir=str(make_raw_data_dir(root / "data")),
        output_dir=str(root / "model"), max_length=32, show_progress=False,
    )  # fmt: skip
    return train(config)


def test_frozen_model_saves_the_head_alone_and_reloads(frozen):
    from safetensors.numpy import load_file

    assert sorted(load_file(str(frozen / ADAPTER_FILE))) == ["head.bias", "head.weight"]
    model = load_model(frozen)
    assert model.model_type == "frozen_encoder" and model.info.backend["lora"] is None
    texts = ["we will kill them", "the weather is nice", "les dirigeants ont condamné l'attentat"]
    assert np.array_equal(model.decision_function(texts), load_model(frozen).decision_function(texts))
    predictions = Classifier.from_pretrained(frozen).classify(texts)
    assert [p.model for p in predictions] == ["tiny-frozen"] * 3


def test_thresholds_respect_the_floor_of_plain_texts(frozen):
    model = load_model(frozen)
    floor = model.info.training["threshold_floor"]
    assert all(model.info.thresholds[label] >= value for label, value in floor.items())
    interval = model.info.training["threshold_floor_interval"]
    assert all(low <= floor[label] <= high for label, (low, high) in interval.items())
    for overrides in model.info.language_thresholds.values():
        assert all(threshold >= floor[label] for label, threshold in overrides.items())


def test_cached_embeddings_equal_the_network_and_survive_a_reload(tiny_bert, tmp_path):  # noqa: F811
    texts = ["we will kill them all", "the weather is nice today", "عقدت القمة"]
    cache = EmbeddingCache(str(tiny_bert), "", folder=tmp_path)
    first = cache.embed(texts, max_length=32)
    again = EmbeddingCache(str(tiny_bert), "", folder=tmp_path)
    assert again._index.keys() == cache._index.keys()
    assert np.array_equal(again.embed(texts, max_length=32), first)
    # A text cut at 4 tokens is embedded again for a longer window, and differs.
    cut = cache.embed(["we will kill them all tonight in the city"], max_length=4)
    whole = cache.embed(["we will kill them all tonight in the city"], max_length=32)
    assert not np.allclose(cut, whole, atol=1e-3)
    assert len(list(tmp_path.glob("shard-*.npz"))) == 3 and not list(tmp_path.glob("*.tmp.npz"))


def test_texts_that_differ_only_in_white_space_at_their_ends_share_one_cached_embedding(tiny_bert, tmp_path):  # noqa: F811
    cache = EmbeddingCache(str(tiny_bert), "", folder=tmp_path)
    vectors = cache.embed(["we will kill them", "we will kill them \n", " we will kill them"], max_length=32)
    assert len(cache._index) == 1 and np.array_equal(vectors[0], vectors[1]) and np.array_equal(vectors[0], vectors[2])


def test_a_head_over_two_pooled_layers_scores_alike_from_cache_and_network(tiny_bert, tmp_path):  # noqa: F811
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from raw_fixtures import make_raw_data_dir

    config = TrainingConfig(
        model="frozen_encoder", name="tiny-two-layers", base=str(tiny_bert), data_dir=str(make_raw_data_dir(tmp_path / "data")),
        output_dir=str(tmp_path / "model"), max_length=32, show_progress=False, pool_layers=[-1, -2],
    )  # fmt: skip
    folder = train(config)
    model = load_model(folder)
    assert model.info.backend["pool_layers"] == [-1, -2]
    assert model.adapter["head.weight"].shape[1] == 2 * 32  # two layers of the 32-wide tiny encoder
    texts = ["we will kill them", "the weather is nice today"]
    cache = EmbeddingCache(str(tiny_bert), "", folder=tmp_path / "cache", pool_layers=[-1, -2])
    head = model.adapter
    from_cache = cache.embed(texts, 128) @ head["head.weight"].numpy().T + head["head.bias"].numpy()
    assert np.allclose(model.decision_function(texts), from_cache, atol=2e-2)  # the cache stores float16


TEXTS = [
    "we will kill them", "the weather is nice today", "les dirigeants ont condamné l'attentat", "x",
    "عقدت القمة الدولية لمكافحة الإرهاب", "those people are vermin and rats " * 8,  # cut at the 32-token window
]  # fmt: skip


def test_frozen_model_runs_on_onnx_float32_by_default_with_the_scores_of_torch(frozen):
    pytest.importorskip("onnxruntime")
    model = load_model(frozen)
    assert model.runtime == "onnx-fp32"
    batched = model.decision_function(TEXTS)
    assert np.abs(batched - load_model(frozen, runtime="torch").decision_function(TEXTS)).max() <= 1e-4
    alone = np.array([model.decision_function([text])[0] for text in TEXTS])
    assert np.abs(batched - alone).max() <= 1e-4
    model.batch_size = 2  # several batches, run side by side
    assert np.abs(model.decision_function(TEXTS * 3) - np.tile(batched, (3, 1))).max() <= 1e-4


def test_without_onnxruntime_a_frozen_model_runs_on_torch(frozen, monkeypatch, caplog):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None if name == "onnxruntime" else find_spec(name, *args))
    with caplog.at_level("WARNING", logger="extremism_nlp.models.transformer"):
        model = load_model(frozen)
    assert model.runtime == "torch" and "onnxruntime is not installed" in caplog.text


def test_balanced_within_gives_each_language_equal_positive_and_negative_weight():
    from extremism_nlp.training.frozen_encoder import balanced_within

    # label 0: "ur" rows mostly positive, "nl" rows mostly negative; label 1 judged only
    # on some rows and all negative in "nl" (kept as it is).
    targets = np.array([[1, 0], [1, 1], [1, 0], [0, 0], [1, 0], [0, 0], [0, 0], [0, 0]], dtype=np.int8)
    mask = np.array([[1, 1], [1, 1], [1, 0], [1, 1], [1, 1], [1, 1], [1, 0], [1, 0]], dtype=np.int8)
    langs = ["ur"] * 4 + ["nl"] * 4
    weights = np.array([1.0, 2.0, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0])
    balanced = balanced_within(weights, targets, mask, langs)
    assert balanced.shape == (8, 2)
    for lang in ("ur", "nl"):
        rows = np.array(langs) == lang
        positive, negative = balanced[rows & (targets[:, 0] == 1), 0].sum(), balanced[rows & (targets[:, 0] == 0), 0].sum()
        assert positive == pytest.approx(negative)
        assert positive + negative == pytest.approx(weights[rows].sum())  # the language keeps its total
    # within a class the rows keep their relative weights
    assert balanced[1, 0] == pytest.approx(2 * balanced[0, 0])
    # label 1 in "nl" has no positives: its weights are untouched
    assert np.array_equal(balanced[4:, 1], weights[4:])
    # label 1 in "ur": one positive (row 1) against rows 0 and 3 (row 2 is not judged)
    assert balanced[1, 1] == pytest.approx(balanced[0, 1] + balanced[3, 1])
    assert balanced[2, 1] == weights[2]


def test_a_head_balanced_within_language_trains_and_records_it(frozen, tiny_bert, tmp_path):  # noqa: F811
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from raw_fixtures import make_raw_data_dir

    config = TrainingConfig(
        model="frozen_encoder", name="tiny-balanced", base=str(tiny_bert), data_dir=str(make_raw_data_dir(tmp_path / "data")),
        output_dir=str(tmp_path / "model"), max_length=32, show_progress=False, balance_within_language=True,
    )  # fmt: skip
    model = load_model(train(config))
    assert model.info.backend["balance_within_language"] is True
    texts = ["we will kill them", "the weather is nice", "les dirigeants ont condamné l'attentat"]
    balanced = model.decision_function(texts)
    assert np.isfinite(balanced).all()
    assert not np.allclose(balanced, load_model(frozen).decision_function(texts))  # the weighting changed the head


def test_mlp_head_is_the_average_of_its_networks_logits():
    from extremism_nlp.training.frozen_encoder import fit_mlp_head

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 12)).astype(np.float32) * 3 + 5  # far from standardised: the folding matters
    targets = (x[:, : len(LABELS)] > 5).astype(np.int8)
    mask = np.ones_like(targets)
    mask[:50, 0] = 0  # rows not judged for a label
    weights = rng.uniform(0.5, 2, size=2000)

    def logits(head, rows):
        with torch.no_grad():
            hidden = torch.nn.functional.gelu(torch.from_numpy(rows) @ head["head.0.weight"].T + head["head.0.bias"])
            return (hidden @ head["head.2.weight"].T + head["head.2.bias"]).numpy()

    pair = fit_mlp_head(x, targets, mask, weights, hidden=8, networks=2, epochs=3, seed=5)
    first, second = (fit_mlp_head(x, targets, mask, weights, hidden=8, networks=1, epochs=3, seed=s) for s in (5, 6))
    assert pair["head.0.weight"].shape == (16, 12) and pair["head.2.weight"].shape == (len(LABELS), 16)
    assert np.allclose(logits(pair, x), (logits(first, x) + logits(second, x)) / 2, atol=1e-5)
    trained = fit_mlp_head(x, targets, mask, weights, hidden=16, networks=2, epochs=30, seed=0)
    accuracy = ((logits(trained, x) > 0) == targets.astype(bool)).mean(axis=0)
    assert (accuracy > 0.9).all(), accuracy  # learnt on raw (unstandardised) inputs
    targets[:, 1] = 0
    with pytest.raises(ValueError, match="label 'violence' needs positive and negative"):
        fit_mlp_head(x, targets, mask, weights, hidden=8, networks=1, epochs=1, seed=0)


def test_a_frozen_model_with_an_mlp_head_trains_saves_and_runs_on_onnx(tiny_bert, tmp_path):  # noqa: F811
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from raw_fixtures import make_raw_data_dir

    config = TrainingConfig(
        model="frozen_encoder", name="tiny-mlp", base=str(tiny_bert), data_dir=str(make_raw_data_dir(tmp_path / "data")),
        output_dir=str(tmp_path / "model"), max_length=32, show_progress=False, head_hidden=8, head_networks=3, head_epochs=2,
    )  # fmt: skip
    folder = train(config)
    model = load_model(folder, runtime="torch")
    assert model.info.backend["head_hidden"] == 24  # three networks of 8, side by side
    assert "head_c" not in model.info.backend  # the linear heads' setting
    assert model.adapter["head.0.weight"].shape == (24, 32) and model.adapter["head.2.weight"].shape == (len(LABELS), 24)
    scores = model.decision_function(TEXTS)
    assert np.isfinite(scores).all()
    if importlib.util.find_spec("onnxruntime") is not None:
        assert np.abs(load_model(folder).decision_function(TEXTS) - scores).max() <= 1e-4
    wrong = dict(model.adapter)
    wrong.pop("head.2.bias")
    with pytest.raises(ValueError, match="not the head the model's config describes"):
        merged_network(str(tiny_bert), wrong, None, head_hidden=24)


def test_everyday_and_contrast_weights_multiply_their_written_rows_alone():
    from datasets import Dataset

    from extremism_nlp.training.frozen_encoder import FrozenEncoderConfig, training_sample

    split = Dataset.from_dict({
        "text": [f"t{i}" for i in range(8)], "lang": ["en"] * 4 + ["fr"] * 4,
        "source": ["project_written"] * 3 + ["davidson_hsol"] + ["project_written"] * 4,
        "source_label": ["everyday", "threat", "neutral_group", "0", "everyday", "everyday", "counter_speech", "everyday"],
    })  # fmt: skip
    rows, plain = training_sample(split, FrozenEncoderConfig(max_train_rows=None))
    rows_again, weighted = training_sample(split, FrozenEncoderConfig(max_train_rows=None, everyday_weight=3.0, contrast_weight=2.0))
    assert list(rows["text"]) == list(rows_again["text"])
    kinds = [kind if source == "project_written" else None for source, kind in zip(rows["source"], rows["source_label"])]
    factor = np.array([{"everyday": 3.0, "neutral_group": 2.0, "counter_speech": 2.0}.get(kind, 1.0) for kind in kinds])
    assert sorted(set(factor)) == [1.0, 2.0, 3.0]  # the threat and the corpus row keep their weight
    np.testing.assert_allclose(weighted, factor * plain)


def test_source_weights_multiply_the_named_sources_rows_alone():
    from datasets import Dataset

    from extremism_nlp.training.frozen_encoder import FrozenEncoderConfig, training_sample

    split = Dataset.from_dict({
        "text": [f"t{i}" for i in range(6)], "lang": ["en"] * 6,
        "source": ["ud_plain"] * 2 + ["davidson_hsol"] * 2 + ["project_written"] * 2, "source_label": ["0"] * 4 + ["everyday"] * 2,
    })  # fmt: skip
    rows, plain = training_sample(split, FrozenEncoderConfig(max_train_rows=None, everyday_weight=3.0))
    _, weighted = training_sample(split, FrozenEncoderConfig(max_train_rows=None, everyday_weight=3.0, source_weights={"ud_plain": 0.25}))
    np.testing.assert_allclose(weighted, np.where(np.asarray(rows["source"]) == "ud_plain", 0.25, 1.0) * plain)
    with pytest.raises(ValueError, match="not a corpus source"):
        FrozenEncoderConfig(source_weights={"ud_plane": 0.25})
    for bad in ({"ud_plain": -1}, {"ud_plain": float("inf")}, {"ud_plain": "x"}):
        with pytest.raises(ValueError, match="must be a finite number >= 0"):
            FrozenEncoderConfig(source_weights=bad)
    with pytest.raises(ValueError, match="must map source names to weights"):
        FrozenEncoderConfig(source_weights=["ud_plain"])


def test_a_group_under_min_group_rows_weighs_in_proportion_to_its_rows():
    from datasets import Dataset

    from extremism_nlp.training.frozen_encoder import FrozenEncoderConfig, group_keys, training_sample

    # A source with 10 English rows and 1 row detected as Swahili; a second source with 10.
    split = Dataset.from_dict({
        "text": [f"t{i}" for i in range(21)], "lang": ["en"] * 10 + ["sw"] + ["en"] * 10,
        "source": ["isis_fanboy"] * 11 + ["davidson_hsol"] * 10, "source_label": ["0"] * 21,
    })  # fmt: skip

    def group_totals(settings: FrozenEncoderConfig) -> dict[str, float]:
        rows, weights = training_sample(split, settings)
        keys = group_keys(rows)
        return {key: float(sum(w for k, w in zip(keys, weights) if k == key)) for key in sorted(set(keys))}

    alike = group_totals(FrozenEncoderConfig(max_train_rows=None, language_balance=1.0))
    assert alike["isis_fanboy|sw"] == pytest.approx(alike["davidson_hsol|en"])  # one row weighs as much as ten
    bounded = group_totals(FrozenEncoderConfig(max_train_rows=None, language_balance=1.0, min_group_rows=10))
    assert bounded["isis_fanboy|sw"] == pytest.approx(bounded["davidson_hsol|en"] / 10)  # a row weighs what a row of 10 does
    assert bounded["isis_fanboy|en"] == pytest.approx(bounded["davidson_hsol|en"])


def test_group_streams_keep_other_groups_draws_when_one_group_grows():
    from datasets import Dataset

    from extremism_nlp.training.frozen_encoder import FrozenEncoderConfig, training_sample

    def corpus(written_rows: int) -> Dataset:
        # A written group that sorts between two natural sources, as project_written|ar sorts before stormfront|en.
        sources = ["gab_hate_corpus"] * 40 + ["project_written"] * written_rows + ["stormfront"] * 40
        texts = [f"{source}-{i}" for source, n in (("gab_hate_corpus", 40), ("project_written", written_rows), ("stormfront", 40)) for i in range(n)]
        return Dataset.from_dict({
            "text": texts, "lang": ["en"] * len(sources),
            "source": sources, "source_label": ["0"] * len(sources),
        })  # fmt: skip

    def drawn(written_rows: int, group_streams: bool) -> dict[str, set[str]]:
        rows, _ = training_sample(corpus(written_rows), FrozenEncoderConfig(max_train_rows=60, language_balance=1.0, group_streams=group_streams))
        return {source: {t for t, s in zip(rows["text"], rows["source"]) if s == source} for source in ("gab_hate_corpus", "stormfront")}

    # Each of the three groups is offered 20 of the 60 rows; the written one has 10 or 11, so the
    # natural sources share the rest, and one more written row takes one row from them at most.
    before, after = drawn(10, group_streams=True), drawn(11, group_streams=True)
    for source in before:
        assert len(before[source] ^ after[source]) <= 1, source
    shared_before, shared_after = drawn(10, group_streams=False), drawn(11, group_streams=False)
    assert shared_before["stormfront"] != shared_after["stormfront"]  # one shared stream re-draws the groups after it


def test_draw_per_network_gives_each_network_the_draw_of_its_seed():
    from datasets import Dataset

    from extremism_nlp.training.frozen_encoder import FrozenEncoderConfig, training_sample
    from extremism_nlp.training.sampling import SAMPLE_WEIGHT, carried_sample

    split = Dataset.from_dict({
        "text": [f"t{i}" for i in range(100)], "lang": ["en"] * 80 + ["fr"] * 20,
        "source": ["davidson_hsol"] * 80 + ["project_written"] * 20, "source_label": ["0"] * 80 + ["everyday"] * 20,
    })  # fmt: skip
    settings = dict(max_train_rows=40, language_balance=1.0, everyday_weight=3.0, head_hidden=8, head_networks=3)
    rows, weights = training_sample(split, FrozenEncoderConfig(**settings, draw_per_network=True))
    assert weights.shape == (len(rows), 3)
    texts = np.asarray(rows["text"])
    for k in range(3):  # network k's column is the sample seed + k draws, weights and all
        alone, alone_weights = training_sample(split, FrozenEncoderConfig(**settings, seed=13 + k))
        taken = weights[:, k] > 0
        assert list(texts[taken]) == list(alone["text"])
        np.testing.assert_allclose(weights[taken, k], alone_weights, rtol=1e-6)
    assert len(rows) > 40  # the draws differ in the large group: their union is larger than one draw
    assert (weights > 0).any(axis=1).all()  # every row of the union is some network's
    # A fold removes rows from the carried union: each draw's weights come back to a mean of 1 over its rows.
    carried = rows.add_column(SAMPLE_WEIGHT, weights.tolist()).select(range(0, len(rows), 2))
    kept, kept_weights = carried_sample(carried)
    assert kept_weights.shape == (len(kept), 3)
    for column in kept_weights.T:
        assert column[column > 0].mean() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="draw_per_network needs an MLP head"):
        FrozenEncoderConfig(draw_per_network=True)


def test_a_model_with_a_draw_per_network_trains_and_records_each_draw(tiny_bert, tmp_path):  # noqa: F811
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from raw_fixtures import make_raw_data_dir

    config = TrainingConfig(
        model="frozen_encoder", name="tiny-draws", base=str(tiny_bert), data_dir=str(make_raw_data_dir(tmp_path / "data")),
        output_dir=str(tmp_path / "model"), max_length=32, show_progress=False, head_hidden=8, head_networks=2, head_epochs=2,
        max_train_rows=120, draw_per_network=True,
    )  # fmt: skip
    model = load_model(train(config), runtime="torch")
    per_network = model.info.training["train_used_per_network"]
    assert per_network == [120, 120] and 120 < model.info.training["train_used"] < 240  # two draws of 120, their union
    assert model.adapter["head.0.weight"].shape == (16, 32)
    assert np.isfinite(model.decision_function(TEXTS)).all()
