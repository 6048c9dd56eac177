"""Mesh joints reprojected vs human COCO keypoints on photos, for one or more `gtrs predict --frame camera` output
folders (detected people matched to annotations by OKS, as `gtrs evaluate --detector`): PCK@0.1 / @0.2 of the torso
diameter and the mean distance in torso diameters. Usage: python docs/photo_refine/score.py ANNOTATIONS.json RUN..."""
import json, sys, numpy as np
from pathlib import Path
from gtrs.eval.photo_detection import match_people, torso_diameter, MIN_KEYPOINTS
ann = json.load(open(sys.argv[1])); runs = sys.argv[2:]
imgs = {i["id"]: i["file_name"] for i in ann["images"]}
by_img = {}
for a in ann["annotations"]:
    by_img.setdefault(a["image_id"], []).append(a)
res = {r: {0.1: [0, 0], 0.2: [0, 0], "px": []} for r in runs}
for iid, fn in imgs.items():
    people = [a for a in by_img.get(iid, []) if a["num_keypoints"] >= MIN_KEYPOINTS and not a.get("iscrowd")]
    for r in runs:
        f = Path(r) / (Path(fn).stem + "_people.json")
        if not f.exists(): continue
        P = json.load(open(f))["people"]
        dets = [np.array(p["keypoints_2d_coco19"])[:17] for p in P]
        matches, _ = match_people(dets, people, [])
        for i, j, _ in matches:
            p, a = P[i], np.reshape(people[j]["keypoints"], (17, 3))
            J = np.array(p["joints_coco19"])[:17]
            px = J[:, :2] / J[:, 2:] * p["focal_px"] + np.array(p["principal_px"])
            lab = a[:, 2] > 0
            d = np.linalg.norm(px - a[:, :2], axis=-1)[lab]
            t = torso_diameter(a, people[j]["bbox"])
            for fr in (0.1, 0.2):
                res[r][fr][0] += int((d <= fr * t).sum()); res[r][fr][1] += int(lab.sum())
            res[r]["px"].append(float(np.mean(d / t)))
for r in runs:
    print(r, "people", len(res[r]["px"]), "PCK@0.1 %.3f PCK@0.2 %.3f mean dist/torso %.3f" % (res[r][0.1][0] / res[r][0.1][1], res[r][0.2][0] / res[r][0.2][1], np.mean(res[r]["px"])))
