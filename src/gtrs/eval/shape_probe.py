"""The shape probe (issue #29): how well the body's shape comes back from 2D keypoints.

Bodies of every kind -- children, women, men, the old, heavy, thin, tall and short people (anny
phenotype recipes in ``BODY_KINDS``) -- in test-split poses, seen by the evaluation cameras, with
exact and detector-noise 2D. The network's mesh is fitted with the body model (``gtrs.fit.mesh``)
and the fitted shape is compared with the true one **in the rest pose**, so pose error does not
count: rest-pose MPVPE (mm, both bodies with their root at the origin), height error (cm, the
rest mesh's vertical extent), and the fitted age and gender.
"""
from __future__ import annotations

from pathlib import Path

import torch
from tqdm import tqdm

from gtrs.body.anny import PHENOTYPE_NAMES, AnnyBody
from gtrs.body.base import vertical_extent
from gtrs.synthetic.build import load_split_rotations
from gtrs.synthetic.pairs import network_inputs
from gtrs.synthetic.synth import SynthConfig, synthesize_batch
from gtrs.fit.mesh import MeshFitConfig, MeshFitter
from gtrs.models.checkpoint import load_model

# kind -> {phenotype: (low, high)}; unnamed phenotypes are drawn around the average (0.35-0.65).
BODY_KINDS: dict[str, dict[str, tuple[float, float]]] = {
    "child": {"age": (0.36, 0.5)},
    "woman": {"gender": (0.9, 1.0), "age": (0.62, 0.8)},
    "man": {"gender": (0.0, 0.1), "age": (0.62, 0.8)},
    "old": {"age": (0.9, 1.0)},
    "heavy": {"weight": (0.85, 1.0), "age": (0.62, 0.9)},
    "thin": {"weight": (0.0, 0.15), "age": (0.62, 0.9)},
    "tall": {"height": (0.7, 0.85), "age": (0.62, 0.9)},
    "short": {"height": (0.15, 0.3), "age": (0.62, 0.9)},
}


def kind_phenotypes(kind: str, count: int, generator: torch.Generator) -> torch.Tensor:
    """(count, 6) phenotypes of one body kind (``BODY_KINDS``)."""
    ranges = BODY_KINDS[kind]
    columns = []
    for name in PHENOTYPE_NAMES:
        lo, hi = ranges.get(name, (0.35, 0.65) if name != "gender" else (0.0, 1.0))
        columns.append(lo + (hi - lo) * torch.rand(count, generator=generator))
    return torch.stack(columns, dim=1)


@torch.no_grad()
def shape_probe(checkpoint: str | Path, data: str | Path, per_kind: int = 64, batch_size: int = 32, seed: int = 0,
                show_progress: bool = True, split: str = "test", fit_config: MeshFitConfig = MeshFitConfig()) -> dict:
    """Per body kind and input (exact / noisy): rest-pose MPVPE (mm), height error (cm, mean absolute,
    and the mean signed error), fitted age and gender (means); and the truth's. Also returns, per kind,
    the first example's true and fitted rest meshes (for a contact sheet) under ``'meshes'``. The bodies
    take poses of the dataset's ``split``; ``fit_config`` sets the fit (to compare fits)."""
    model, _ = load_model(checkpoint)
    body = AnnyBody()
    fitter = MeshFitter(body, fit_config)
    rotations = load_split_rotations(data, split)
    g = torch.Generator().manual_seed(seed)
    rest = torch.eye(3).expand(1, body.num_bones, 3, 3)
    result, meshes = {}, {}
    for kind in tqdm(BODY_KINDS, desc="probe[shape]", disable=not show_progress):
        sums: dict[str, float] = {}
        for start in range(0, per_kind, batch_size):
            n = min(batch_size, per_kind - start)
            truth = kind_phenotypes(kind, n, g)
            batch = synthesize_batch(body, rotations[torch.randint(0, len(rotations), (n,), generator=g)], g,
                                     SynthConfig(), shape=truth)
            true_rest = body(rest.expand(n, -1, -1, -1), truth).vertices
            for input_kind in ("exact", "noisy"):
                keypoints = network_inputs(batch, "coco19", torch.full((n,), input_kind == "noisy"), g)
                fit = fitter(model(keypoints)[0].float())
                fitted_rest = body(rest.expand(n, -1, -1, -1), fit.shape).vertices
                height_err = 100 * (vertical_extent(fitted_rest) - vertical_extent(true_rest))
                values = {"rest_mpvpe_mm": 1000 * (fitted_rest - true_rest).norm(dim=-1).mean(-1),
                          "height_abs_err_cm": height_err.abs(), "height_signed_err_cm": height_err,
                          "fitted_age": fit.shape[:, 1], "fitted_gender": fit.shape[:, 0]}
                for k, v in values.items():
                    sums[f"{input_kind}/{k}"] = sums.get(f"{input_kind}/{k}", 0.0) + float(v.sum())
                if start == 0 and input_kind == "exact":
                    meshes[kind] = (true_rest[0].numpy(), fitted_rest[0].numpy())
            for k, v in {"true_age": truth[:, 1], "true_gender": truth[:, 0],
                         "true_height_cm": 100 * vertical_extent(true_rest)}.items():
                sums[k] = sums.get(k, 0.0) + float(v.sum())
        result[kind] = {"examples": per_kind, **{k: v / per_kind for k, v in sums.items()}}
    overall = {k: sum(r[k] for r in result.values()) / len(result) for k in next(iter(result.values()))}
    result["all"] = overall
    return {"kinds": result, "meshes": meshes}


def shape_probe_markdown(result: dict, checkpoint: str) -> str:
    """The shape probe as a Markdown table."""
    lines = [f"Shape probe of `{checkpoint}`: bodies of every kind in test-split poses, network mesh -> "
             "fitted body, compared with the truth in the rest pose (anny's calibrated age scale: 0.415 = 11 "
             "years, 0.67 = 16, 0.77 = 18, 0.83 = 64, 1.0 = 110; gender 0 male, 1 female).", "",
             "| bodies | examples | true height cm | exact rest MPVPE | exact height err cm (signed) | "
             "noisy rest MPVPE | noisy height err cm (signed) | true age / fitted (exact) | "
             "true gender / fitted (exact) |", "|---" * 9 + "|"]
    for kind, m in result["kinds"].items():
        lines.append(f"| {kind} | {m['examples']} | {m['true_height_cm']:.0f} | {m['exact/rest_mpvpe_mm']:.1f} | "
                     f"{m['exact/height_abs_err_cm']:.1f} ({m['exact/height_signed_err_cm']:+.1f}) | "
                     f"{m['noisy/rest_mpvpe_mm']:.1f} | {m['noisy/height_abs_err_cm']:.1f} "
                     f"({m['noisy/height_signed_err_cm']:+.1f}) | {m['true_age']:.2f} / {m['exact/fitted_age']:.2f} | "
                     f"{m['true_gender']:.2f} / {m['exact/fitted_gender']:.2f} |")
    return "\n".join(lines) + "\n"
