import numpy as np

from extremism_nlp.models.features import FeatureConfig, feature_matrix, linear_scores, ngram_occurrences

CONFIG = FeatureConfig(n_features_log2=16)


def test_char_ngrams_do_not_cross_texts():
    rows, _ = ngram_occurrences(["ab", "cd"], FeatureConfig(n_features_log2=16, word_ngram_max=1))
    # " ab " has 3 bigrams, 2 trigrams, 1 fourgram; plus one word: 7 per text
    assert np.bincount(rows).tolist() == [7, 7]


def test_hashing_is_stable():
    # Fixed columns: a model trained on one machine must read the same features on another.
    _, cols = ngram_occurrences(["kill"], CONFIG)
    assert cols[:3].tolist() == ngram_occurrences(["kill them"], CONFIG)[1][:3].tolist()
    assert sorted(set(ngram_occurrences(["kill"], CONFIG)[1].tolist())) == sorted(set(cols.tolist()))


def test_same_text_same_features_in_any_batch():
    alone = feature_matrix(["hello world"], CONFIG, np.ones(CONFIG.n_features, dtype=np.float32))
    batch = feature_matrix(["x", "hello world", ""], CONFIG, np.ones(CONFIG.n_features, dtype=np.float32))
    assert (alone.toarray()[0] == batch.toarray()[1]).all()
    assert batch[2].nnz == 0


def test_linear_scores_match_the_sparse_product():
    rng = np.random.default_rng(0)
    idf = rng.random(CONFIG.n_features).astype(np.float32)
    coef = rng.standard_normal((CONFIG.n_features, 4)).astype(np.float32)
    texts = ["they must all go", "صباح الخير", "", "a a a a a a"]
    expected = feature_matrix(texts, CONFIG, idf) @ coef
    assert np.allclose(linear_scores(texts, CONFIG, idf[:, None] * coef), expected, atol=1e-5)


def test_words_are_what_re_finds_and_hashes_crc32_of_their_utf8():
    import re
    import zlib

    from extremism_nlp.models.features import _CRC_MAX_BYTES, _word_hashes

    texts = ["kill them all 2day", "", "ça va, élève_1", "صباح الخير", "我们" * 40, "x" * (_CRC_MAX_BYTES + 1), "𝐤𝐢𝐥𝐥 ß ǅ", "!!!"]
    texts += [chr(c) * 2 + " z" for c in range(0x20, 0x30000, 97) if not 0xD800 <= c < 0xE000 and chr(c) != "\n"]
    for batch in (texts, texts[:3]):  # numpy for many texts, Python for a few
        rows, hashes = _word_hashes("\n".join(batch))
        expected = [(r, zlib.crc32(w.encode("utf-8"))) for r, t in enumerate(batch) for w in re.findall(r"\w+", t)]
        assert list(zip(rows.tolist(), hashes.tolist())) == expected


def test_a_few_rows_are_summed_to_the_same_bits_as_many():
    from extremism_nlp.text import normalize_batch
    from record_fast_outputs import fixture_texts

    rng = np.random.default_rng(1)
    weights = rng.standard_normal((CONFIG.n_features, 4)).astype(np.float32)
    texts = normalize_batch(fixture_texts()[:200])  # features are read from normalised text
    many = linear_scores(texts, CONFIG, weights)
    few = np.concatenate([linear_scores(texts[i : i + 3], CONFIG, weights) for i in range(0, len(texts), 3)])
    assert np.array_equal(many, few)


def test_linear_scores_of_empty_texts_are_zero():
    weights = np.ones((CONFIG.n_features, 4), dtype=np.float32)
    assert linear_scores(["", ""], CONFIG, weights).tolist() == [[0.0] * 4] * 2
    assert linear_scores([], CONFIG, weights).shape == (0, 4)
