"""Large keypoint lists are read one record at a time: same people as a whole read, chunked, and a
file that breaks off keeps the people before the break."""
import json

import numpy as np
import pytest

from gtrs.readers.keypoints import read_keypoints, read_keypoints_in_chunks
from gtrs.readers.json_stream import JsonArrayError, iter_json_array
from gtrs.infer.predict import predict


def coco_results(n, seed=0):
    rng = np.random.default_rng(seed)
    records = []
    for i in range(n):
        kp = np.concatenate([rng.uniform(100, 500, (17, 2)), np.full((17, 1), 0.9)], 1)
        records.append({"image_id": i % 5, "category_id": 1, "keypoints": kp.round(3).ravel().tolist(),
                        "score": float(rng.uniform(0.5, 1)), "note": "é ✓ \u00e9"})  # multi-byte text cut by blocks
    return records


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_the_array_decodes_like_json_load_for_any_block_size(tmp_path, block):
    records = coco_results(6) + [1.5e-7, -3, "x]y,z", [[], {}], None, True]
    path = tmp_path / "r.json"
    path.write_text("\ufeff \n[ " + ",\n  ".join(json.dumps(r) for r in records) + " ]\n", encoding="utf-8")
    assert list(iter_json_array(path, block=block)) == json.loads(path.read_text(encoding="utf-8-sig"))


@pytest.mark.parametrize("text, message", [
    ('[{"a": 1}, {"a": 2}', "not closed"),
    ('[{"a": 1}, {"a": 2]', "line 1"),
    ('[{"a": 1} {"a": 2}]', "expected ','"),
    ('[{"a": 1}] [', "extra data"),
])
def test_malformed_arrays_raise_after_the_good_elements(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    seen = []
    with pytest.raises(JsonArrayError, match=message):
        for element in iter_json_array(path, block=4):
            seen.append(element)  # noqa: PERF402 (a loop keeps what came before the error)
    assert seen[0] == {"a": 1}


def test_chunks_hold_the_same_people_as_a_whole_read_and_each_bad_record_once(tmp_path):
    records = coco_results(150)
    records[70]["keypoints"] = "broken"
    path = tmp_path / "results.json"
    path.write_text(json.dumps(records))
    chunks = list(read_keypoints_in_chunks(path, size=64))
    assert [len(c.people) for c in chunks] == [64, 64, 21]
    assert sum(len(c.errors) for c in chunks) == 1 and "#70" in chunks[1].errors[0]
    whole = read_keypoints(path)
    assert [p.source for c in chunks for p in c.people] == [p.source for p in whole.people]
    np.testing.assert_array_equal(np.stack([p.keypoints for c in chunks for p in c.people]),
                                  np.stack([p.keypoints for p in whole.people]))


def test_predict_keeps_the_people_before_a_file_breaks_off(tmp_path):
    text = json.dumps(coco_results(70))
    path = tmp_path / "cut.json"
    path.write_text(text[:int(len(text) * 0.97)])  # the last record or two are cut off
    summary = predict(path, tmp_path / "out", formats=(), render=False, show_progress=False, mesh="network")
    assert 64 <= summary.people < 70
    assert any("cut.json" in e and "not closed" in e or "not valid JSON" in e for e in summary.errors), summary.errors
    people = json.loads((tmp_path / "out" / "cut_people.json").read_text())["people"]
    assert len(people) == summary.people and people[0]["source"].endswith("#0")
