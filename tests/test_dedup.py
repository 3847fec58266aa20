from extremism_nlp.data.dedup import deduplicate, near_duplicate_pairs
from extremism_nlp.text import dedup_key

LONG = "the council met today to discuss the new plan for the city centre and its parks"


def test_exact_duplicate_across_splits_is_removed_from_train():
    keys = [dedup_key(t) for t in ["RT @a: " + LONG, LONG + "!!!", "something else entirely here"]]
    keep, removed = deduplicate(keys, ["train", "test", "train"])
    assert keep.tolist() == [False, True, True]
    assert sum(removed.values()) == 1


def test_exact_duplicate_within_split_keeps_first():
    keep, removed = deduplicate(["abc", "abc", "abc"], ["train", "train", "train"])
    assert keep.tolist() == [True, False, False]
    assert removed["exact duplicate within train"] == 2


def test_near_duplicate_across_splits_is_removed_from_the_less_evaluative_split():
    near = LONG.replace("new plan", "new plans")
    keys = [dedup_key(LONG), dedup_key(near), dedup_key("a completely different sentence about football")]
    keep, removed = deduplicate(keys, ["validation", "test", "train"])
    assert keep.tolist() == [False, True, True]
    assert any("near duplicate" in reason for reason in removed)


def test_near_duplicates_inside_one_split_stay():
    near = LONG.replace("new plan", "new plans")
    keep, _ = deduplicate([dedup_key(LONG), dedup_key(near)], ["train", "train"])
    assert keep.all()


def test_dissimilar_texts_are_not_paired():
    keys = [dedup_key(t) for t in ["the weather is lovely in spring", "stock markets fell sharply on monday morning"]]
    assert near_duplicate_pairs(keys) == []
