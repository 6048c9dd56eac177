"""Which score finds the best start: reads /tmp/starts_GROUP_xy30d10.pt written by starts.py."""
import torch, itertools
d = torch.load("/tmp/starts_thigh_towards_camera_xy30d10.pt")
person, err, T = d["person"], d["err"], d["terms"]
B = int(person.max()) + 1
def pick(score):
    return float(torch.stack([err[person == i][torch.argmin(score[person == i])] for i in range(B)]).mean())
print("oracle", float(torch.stack([err[person == i].min() for i in range(B)]).mean()), "nearest", float(torch.stack([err[person == i][0] for i in range(B)]).mean()))
for k in T: print(k, round(pick(T[k]), 1))
for wp in (0.3, 1, 3, 10):
    for wl in (0.3, 1, 3, 10):
        for wd in (0, 1):
            s = T["reprojection"] + wp * T["pose_prior"] + wl * T["limits"] + wd * (T["network_depth"] + T["network_xy"])
            print(wp, wl, wd, round(pick(s), 1), end=" | ")
print()
# how often is oracle = nearest
same = sum(int(torch.argmin(err[person == i]) == 0) for i in range(B)); print("oracle is nearest:", same, "of", B)
# the prior's values: oracle vs nearest

for g in ("thigh_towards_camera", "no_segment_towards_camera"):
    d = torch.load(f"/tmp/starts_{g}_xy30d10.pt"); person, err, T = d["person"], d["err"], d["terms"]
    B = int(person.max()) + 1
    pick = lambda s: float(torch.stack([err[person == i][torch.argmin(s[person == i])] for i in range(B)]).mean())
    for w in (0, 0.1, 0.3, 1.0):
        print(g, w, round(pick(T["reprojection"] + w * (T["pose_prior"] + T["limits"])), 2), round(pick(T["reprojection"] + w * T["limits"]), 2))
