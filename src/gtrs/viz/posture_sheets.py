"""Contact sheets of generated training postures (``gtrs data postures``): one PNG per family, its
samples on the mean body seen from the front-left and a little above, to check by eye."""
from __future__ import annotations

from pathlib import Path

import torch
from tqdm import tqdm

from gtrs.body.anny import AnnyBody
from gtrs.body.skeleton import Skeleton
from gtrs.synthetic.build import load_split_rotations
from gtrs.synthetic.postures import PostureGenerator
from gtrs.viz.render import mesh_grid


def write_posture_sheets(data: str | Path, out: str | Path, per_family: int = 64, seed: int = 0,
                         families: list[str] | None = None) -> list[Path]:
    """``out/<family>.png`` for every posture family (or those named); returns the paths."""
    body = AnnyBody()
    generator = PostureGenerator(Skeleton.from_body(body), load_split_rotations(data, "train"))
    names = families or generator.family_names
    unknown = sorted(set(names) - set(generator.family_names))
    if unknown:
        raise ValueError(f"unknown posture families {unknown}; known: {generator.family_names}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(seed)
    faces = body.faces.numpy()
    paths = []
    for name in tqdm(names, desc="posture sheets", unit="family"):
        poses, _ = generator.sample(per_family, g, family=name)
        with torch.no_grad():
            vertices = body(poses).vertices.numpy()
        path = out / f"{name}.png"
        mesh_grid(list(vertices), faces, str(path), title=f"{name}: {per_family} random samples (seed {seed})")
        paths.append(path)
    return paths
