"""Fuzzing the keypoint readers: whatever a file holds, ``read_keypoints`` returns people or raises
``KeypointFileError`` (one clear message), never another exception. A fixed seed and a bounded
number of examples in CI; `make fuzz` runs many more (GTRS_FUZZ_EXAMPLES)."""
import json
import os

import numpy as np
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from gtrs.readers.keypoints import KeypointFileError, read_keypoints

EXAMPLES = int(os.environ.get("GTRS_FUZZ_EXAMPLES", "300"))
KEYS = ["keypoints", "annotations", "people", "images", "image_id", "num_keypoints", "width", "height",
        "pose_keypoints_2d", "id", "file_name", "score", "category_id"]
numbers = st.one_of(st.integers(min_value=-10**400, max_value=10**400), st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(min_value=-5, max_value=2000))
leaves = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=8))
values = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=60), st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=6)),
    max_leaves=200)
# plausible shapes: a COCO results list, an annotations file, OpenPose people, with random insides
person = st.lists(st.one_of(numbers, st.floats(0, 1000)), min_size=0, max_size=80)
documents = st.one_of(
    values,
    st.lists(st.fixed_dictionaries({"keypoints": person | values}, optional={"image_id": values, "score": values}),
             max_size=4),
    st.fixed_dictionaries({"annotations": st.lists(st.fixed_dictionaries(
        {"keypoints": person | values}, optional={"num_keypoints": values, "image_id": values, "id": values}), max_size=4)},
        optional={"images": st.lists(st.dictionaries(st.sampled_from(KEYS), values, max_size=5), max_size=3)}),
    st.fixed_dictionaries({"people": st.lists(st.fixed_dictionaries({"pose_keypoints_2d": person | values}),
                                              max_size=3) | values}),
)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                              HealthCheck.too_slow])


def _read(path):
    try:
        result = read_keypoints(path)
    except KeypointFileError as e:
        assert str(e) and "\n" not in str(e)
        return
    for p in result.people:
        assert p.keypoints.shape == (19, 3) and np.isfinite(p.keypoints).all()


@seed(20261124)
@FUZZ
@given(doc=documents)
def test_any_json_document_is_read_or_refused_clearly(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("fuzz") / "k.json"
    path.write_text(json.dumps(doc))
    _read(path)


@seed(20261124)
@FUZZ
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".json", ".npy"]))
def test_any_bytes_are_read_or_refused_clearly(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"k{suffix}"
    path.write_bytes(data)
    _read(path)


@seed(20261124)
@FUZZ
@given(shape=st.lists(st.integers(0, 40), min_size=0, max_size=4),
       dtype=st.sampled_from(["f8", "f4", "i4", "u1", "U3", "?", "c8", "f2", "O"]),
       fill=st.floats(allow_nan=True, allow_infinity=True))
def test_any_numpy_array_is_read_or_refused_clearly(tmp_path_factory, shape, dtype, fill):
    path = tmp_path_factory.mktemp("fuzz") / "k.npy"
    if dtype == "O":
        np.save(path, np.array([None, {"a": 1}], dtype=object), allow_pickle=True)
    else:
        arr = np.full(shape, fill if dtype[0] in "fc" else 1).astype(dtype) if dtype != "U3" else np.full(shape, "ab")
        np.save(path, arr)
    _read(path)


def test_nesting_a_hundred_thousand_deep_is_refused(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    _read(path)


@seed(20261124)
@FUZZ
@given(items=st.lists(values, max_size=8), block=st.integers(1, 40), indent=st.sampled_from([None, 0, 2]),
       cut=st.floats(0, 1))
def test_a_streamed_list_decodes_like_json_load_or_fails_in_one_line(tmp_path_factory, items, block, indent, cut):
    """Any list, in any layout, read in blocks of any size: the same elements as ``json.loads``; the
    same text cut short: the elements before the cut, then one clear error."""
    from gtrs.readers.json_stream import JsonArrayError, iter_json_array

    path = tmp_path_factory.mktemp("fuzz") / "list.json"
    text = json.dumps(items, indent=indent)
    path.write_text(text)
    same = lambda a, b: json.dumps(a) == json.dumps(b)  # compared as text, where NaN equals itself
    assert same(list(iter_json_array(path, block=block)), json.loads(text))
    path.write_text(text[:int(len(text) * cut)])
    seen = []
    try:
        for element in iter_json_array(path, block=block):
            seen.append(element)  # noqa: PERF402 (a loop keeps what came before the error)
    except JsonArrayError as e:
        assert str(e) and "\n" not in str(e)
    assert same(seen, items[:len(seen)])
