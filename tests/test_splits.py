from collections import Counter

from extremism_nlp.data.splits import assign_splits, stable_hash


def test_stable_hash_is_fixed():
    # A fixed value: the split of a row must not change between runs, machines or Pythons.
    assert stable_hash("mlma:en:1") == stable_hash("mlma:en:1")
    assert stable_hash("a") != stable_hash("b")


def test_free_rows_are_cut_80_10_10_per_stratum():
    groups = [f"r{i}" for i in range(2000)]
    strata = ["en|pos" if i % 4 == 0 else "en|neg" for i in range(2000)]
    splits = assign_splits(groups, strata, [None] * 2000, official_test=False)
    for stratum in ("en|pos", "en|neg"):
        counts = Counter(s for s, st in zip(splits, strata) if st == stratum)
        total = sum(counts.values())
        assert abs(counts["test"] / total - 0.1) < 0.01
        assert abs(counts["validation"] / total - 0.1) < 0.01
    assert splits == assign_splits(groups, strata, [None] * 2000, official_test=False)


def test_official_splits_are_kept_and_validation_carved_from_train():
    given = ["train"] * 100 + ["test"] * 20 + [None] * 50
    groups = [str(i) for i in range(len(given))]
    splits = assign_splits(groups, ["x"] * len(given), given, official_test=True)
    assert splits[100:120] == ["test"] * 20
    assert "test" not in splits[:100] and "test" not in splits[120:]
    assert 5 <= splits[:100].count("validation") <= 15


def test_given_validation_is_not_carved_again():
    given = ["train"] * 50 + ["validation"] * 5
    splits = assign_splits([str(i) for i in range(55)], ["x"] * 55, given, official_test=True)
    assert splits[:50] == ["train"] * 50


def test_group_members_share_a_split():
    groups = [f"article{i // 5}" for i in range(500)]
    splits = assign_splits(groups, ["ar|none"] * 500, [None] * 500, official_test=False)
    for g in range(100):
        assert len(set(splits[g * 5 : g * 5 + 5])) == 1
