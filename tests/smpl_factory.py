"""A synthetic SMPL model in the real file format (the licensed one cannot ship), for tests."""
import pickle

import numpy as np

SMPL_PARENTS = [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21]


def write_synthetic_smpl(folder, regressors=True, gender="neutral", scale=1.0):
    """A 6890-vertex SMPL-format pickle (plain numpy, no chumpy) plus the two joint regressors;
    ``scale`` enlarges the template (to tell gendered models apart)."""
    rng = np.random.default_rng(0)
    v = rng.uniform([-0.3, -0.9, -0.1], [0.3, 0.8, 0.1], size=(6890, 3))
    joints = rng.uniform([-0.2, -0.8, -0.05], [0.2, 0.6, 0.05], size=(24, 3))
    nearest = np.argmin(((v[:, None] - joints[None]) ** 2).sum(-1), axis=1)
    J_regressor = np.zeros((24, 6890))
    for j in range(24):
        members = np.flatnonzero(nearest == j)
        members = members if len(members) else np.array([j])
        J_regressor[j, members] = 1.0 / len(members)
    data = dict(
        v_template=v * scale, shapedirs=rng.normal(0, 1e-3, (6890, 3, 10)), posedirs=rng.normal(0, 1e-4, (6890, 3, 207)),
        J_regressor=J_regressor, weights=np.eye(24)[nearest], kintree_table=np.array([SMPL_PARENTS, list(range(24))]),
        f=rng.integers(0, 6890, size=(13776, 3)).astype(np.int64),
    )
    with open(folder / f"SMPL_{gender.upper()}.pkl", "wb") as f:
        pickle.dump(data, f)
    if regressors:
        for name in ("J_regressor_h36m_correct.npy", "J_regressor_coco.npy"):
            np.save(folder / name, J_regressor[:17])
    return data
