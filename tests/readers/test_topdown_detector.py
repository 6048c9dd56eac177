"""The top-down photo detector (issue #31): BlazePose's person detector decoded as MediaPipe does, the
aligned crop and its inverse, duplicate suppression; and the real models on the photos the package ships."""
import numpy as np
import pytest

from gtrs.demo import demo_file
from gtrs.readers.person_detection import FACE_DETECTOR, PersonCandidate, decode, ssd_anchor_centres, tiles, weighted_nms
from gtrs.readers.pose_landmarks import CROP_SIZE, ROI_SCALE, Landmarks, crop, roi_from_alignment


def test_anchor_centres_follow_the_three_feature_maps():
    anchors = ssd_anchor_centres()
    assert anchors.shape == (2254, 2)  # 28*28*2 + 14*14*2 + 7*7*6, the model's output length
    np.testing.assert_allclose(anchors[0], [0.5 / 28, 0.5 / 28])
    np.testing.assert_allclose(anchors[1], anchors[0])  # two anchors per cell share the centre
    np.testing.assert_allclose(anchors[2], [1.5 / 28, 0.5 / 28])  # then along the row
    np.testing.assert_allclose(anchors[2 * 28], [0.5 / 28, 1.5 / 28])
    np.testing.assert_allclose(anchors[28 * 28 * 2], [0.5 / 14, 0.5 / 14])
    np.testing.assert_allclose(anchors[-6:], np.full((6, 2), 6.5 / 7))
    faces = ssd_anchor_centres(FACE_DETECTOR)
    assert faces.shape == (2304, 2)  # 48 x 48, one anchor per cell: the face model's output length
    np.testing.assert_allclose(faces[[0, 1, 48]], [[0.5 / 48, 0.5 / 48], [1.5 / 48, 0.5 / 48], [0.5 / 48, 1.5 / 48]])


def test_decoding_places_boxes_and_keypoints_around_the_anchor():
    anchors = ssd_anchor_centres()
    regressors = np.zeros((2254, 12), np.float32)
    logits = np.full(2254, -10.0, np.float32)
    k = 28 * 28 * 2 + 5  # an anchor of the 14 x 14 map
    regressors[k] = [3, -2, 40, 60, 1, 2, 3, 4, 5, 6, 7, 8]
    logits[k] = 2.0
    rows = decode(regressors, logits, anchors, min_score=0.5)
    assert rows.shape == (1, 13)
    cx, cy = anchors[k] * 224 + [3, -2]
    np.testing.assert_allclose(rows[0, 0], 1 / (1 + np.exp(-2.0)), rtol=1e-6)
    np.testing.assert_allclose(rows[0, 1:5], [cx - 20, cy - 30, cx + 20, cy + 30], rtol=1e-5)
    np.testing.assert_allclose(rows[0, 5:].reshape(4, 2), anchors[k] * 224 + np.arange(1, 9).reshape(4, 2), rtol=1e-5)
    logits[:] = 1e4  # clipped, not overflowing
    assert np.isfinite(decode(regressors, logits, anchors, 0.5)).all()
    face_rows = decode(np.zeros((2304, 16), np.float32), np.full(2304, -9.0, np.float32),
                       ssd_anchor_centres(FACE_DETECTOR), 0.5, size=192)
    assert face_rows.shape == (0, 17)  # nobody: an empty table of the face model's width


def test_non_maximum_suppression_merges_overlaps_only():
    row = lambda score, x0: np.r_[score, x0, 0, x0 + 10, 10, np.full(8, x0)]  # noqa: E731
    rows = np.stack([row(0.9, 0), row(0.6, 1), row(0.8, 50)])
    merged = weighted_nms(rows, iou=0.3)
    assert len(merged) == 2 and merged[0, 0] == 0.9 and merged[1, 1] == 50
    np.testing.assert_allclose(merged[0, 1], 0.6 / 1.5)  # the score-weighted mean of x0 = 0 and 1
    plain = weighted_nms(rows, iou=0.3, weighted=False)
    assert plain[0, 1] == 0  # plain NMS keeps the best box as it is
    assert len(weighted_nms(rows, iou=0.95)) == 3
    assert weighted_nms(rows[:0]).shape == (0, 13)


def test_tiles_cover_the_image_only_when_it_is_big():
    assert tiles(300, 200) == [(0, 0, 300, 200)]
    windows = tiles(1000, 600)
    assert windows[0] == (0, 0, 1000, 600) and len(windows) == 5
    assert max(x1 for _, _, x1, _ in windows[1:]) == 1000 and min(x0 for x0, _, _, _ in windows[1:]) == 0


def test_the_roi_stands_the_body_upright_and_the_crop_inverts_it():
    upright = roi_from_alignment(np.array([100.0, 200.0]), np.array([100.0, 120.0]))
    assert upright.rotation == pytest.approx(0.0) and upright.side == pytest.approx(2 * 80 * ROI_SCALE)
    lying = roi_from_alignment(np.array([100.0, 200.0]), np.array([180.0, 200.0]))  # head to the right
    assert abs(lying.rotation) == pytest.approx(np.pi / 2)
    m = lying.crop_to_image()
    np.testing.assert_allclose(m @ [CROP_SIZE / 2, CROP_SIZE / 2, 1], [100, 200])
    top = m @ [CROP_SIZE / 2, 0, 1]  # the crop's top centre is where the head points
    assert top[0] > 100 + 0.9 * lying.side / 2 and abs(top[1] - 200) < 1e-6
    # a bright dot in the image lands in the crop where the inverse map says
    image = np.zeros((400, 400, 3), np.uint8)
    image[150:156, 240:246] = 255
    roi = roi_from_alignment(np.array([210.0, 190.0]), np.array([260.0, 150.0]))
    patch = crop(image, roi)
    weight = patch[..., 0] / patch[..., 0].sum()
    vv, uu = np.mgrid[0:CROP_SIZE, 0:CROP_SIZE] + 0.5
    back = roi.crop_to_image() @ [(weight * uu).sum(), (weight * vv).sum(), 1]  # the dot's centre, mapped back
    assert np.linalg.norm(back - [243, 153]) < 0.5


def test_a_face_puts_the_body_below_it():
    from gtrs.readers.topdown_detector import FACE_TO_HIP, FACE_TO_SIZE, roi_from_face

    face = PersonCandidate(0.9, np.array([90.0, 40.0, 110.0, 60.0]), np.zeros((6, 2)))  # 20 px wide
    roi = roi_from_face(face)
    np.testing.assert_allclose(roi.centre, [100, 50 + FACE_TO_HIP * 20])
    assert roi.rotation == pytest.approx(0.0) and roi.side == pytest.approx(2 * FACE_TO_SIZE * 20 * ROI_SCALE)
    top = roi.crop_to_image() @ [CROP_SIZE / 2, 0, 1]
    assert top[1] < 40  # the crop reaches above the face


def test_a_silhouette_maps_the_crop_mask_onto_the_image():
    roi = roi_from_alignment(np.array([50.0, 60.0]), np.array([50.0, 40.0]))  # side 50, upright
    mask = np.zeros((CROP_SIZE, CROP_SIZE), bool)
    mask[:, : CROP_SIZE // 2] = True  # the crop's left half
    found = Landmarks(np.zeros((33, 3)), 1.0, roi, np.zeros((2, 2)), mask)
    grid = found.silhouette(100, 100, 1.0)
    assert grid.shape == (100, 100)
    assert grid[60, 30] and not grid[60, 60] and not grid[10, 30]
    assert abs(grid.sum() - 25 * 50) <= 2 * 50  # a 25 x 50 pixel half-square


pytest.importorskip("mediapipe", reason="the models come with the optional extra gtrs[image]")
pytest.importorskip("ai_edge_litert", reason="the optional extra gtrs[image] runs them with LiteRT")


def test_topdown_finds_the_people_labelled_on_the_shipped_photos():
    from gtrs.body.keypoint_similarity import oks
    from gtrs.readers.detector import load_image
    from gtrs.readers.keypoints import read_keypoints
    from gtrs.readers.topdown_detector import TopDownPoseDetector

    truth = read_keypoints(demo_file("coco_keypoints_annotations.json"))
    with TopDownPoseDetector() as detector:
        for person in truth.people:
            found = detector.detect_all(load_image(demo_file(person.image)))
            assert found and all(p.shape == (19, 3) for p in found)
            labelled = person.keypoints[:17]
            area = np.ptp(labelled[labelled[:, 2] > 0, 0]) * np.ptp(labelled[labelled[:, 2] > 0, 1])
            assert max(oks(p[:17], labelled, area) for p in found) > 0.8, person.image
        assert detector.detect_all(np.full((240, 320, 3), 127, np.uint8)) == []
