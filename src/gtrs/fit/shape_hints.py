"""What a user knows about a person's body -- gender, age, height, weight -- held fixed in the fit.

The keypoints cannot tell a man from a woman, and the scale of a body seen from one camera is
ambiguous; a user who knows says so (``--gender``, ``--age`` years, ``--height`` cm, ``--weight``
kg, or ``ShapeHints`` in the Python API). Gender and age set anny's parameters directly (age through
anny's own calibrated year scale); height and weight are met by solving anny's ``height`` and
``weight`` parameters on the rest-pose body (its vertical extent, and its volume at 980 kg/m^3),
with the other shape parameters as the first fit found them, and the pose is fitted again with that
shape held.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from gtrs.body.base import BodyModel
from gtrs.fit.mesh import BodyFit, MeshFitter

GENDER, AGE, WEIGHT, HEIGHT = 0, 1, 3, 4  # anny's phenotype order (gtrs.body.anny.PHENOTYPE_NAMES)
GENDER_WORDS = {"male": 0.0, "man": 0.0, "m": 0.0, "female": 1.0, "woman": 1.0, "f": 1.0, "neutral": 0.5}


@dataclass(frozen=True)
class ShapeHints:
    """Known facts about the people of a run (None: fitted from the keypoints)."""

    gender: float | None = None  # 0 male .. 1 female
    age_years: float | None = None
    height_cm: float | None = None
    weight_kg: float | None = None

    def __post_init__(self) -> None:
        checks = (("gender", self.gender, 0.0, 1.0), ("age_years", self.age_years, 0.0, 110.0),
                  ("height_cm", self.height_cm, 50.0, 250.0), ("weight_kg", self.weight_kg, 5.0, 300.0))
        for name, value, lo, hi in checks:
            if value is not None and not lo <= value <= hi:
                raise ValueError(f"{name} must lie in [{lo:g}, {hi:g}], got {value:g}")

    @property
    def given(self) -> bool:
        return any(v is not None for v in (self.gender, self.age_years, self.height_cm, self.weight_kg))

    @staticmethod
    def parse_gender(value: str | None) -> float | None:
        """'male', 'female', 'neutral' (or m/f/man/woman), or a number in [0, 1]; a ValueError otherwise."""
        if value is None:
            return None
        word = value.strip().lower()
        if word in GENDER_WORDS:
            return GENDER_WORDS[word]
        try:
            return float(word)
        except ValueError:
            raise ValueError(f"--gender must be male, female, neutral or a number from 0 (male) to 1 (female), "
                             f"got {value!r}") from None


def held_parameters(hints: ShapeHints | None) -> tuple[int, ...]:
    """The shape indices ``hints`` hold."""
    if hints is None:
        return ()
    return tuple(k for k, v in ((GENDER, hints.gender), (AGE, hints.age_years), (HEIGHT, hints.height_cm),
                                (WEIGHT, hints.weight_kg)) if v is not None)


def _solve_parameter(body: BodyModel, shape: torch.Tensor, index: int, goal: float, measure: int,
                     steps: int = 14) -> torch.Tensor:
    """Bisect shape parameter ``index`` of every row in [0, 1] so that the rest measurement
    (0: height m, 1: mass kg) meets ``goal``; both measurements grow with their parameter."""
    lo, hi = torch.zeros(shape.shape[0], dtype=shape.dtype), torch.ones(shape.shape[0], dtype=shape.dtype)
    shape = shape.clone()
    for _ in range(steps):
        shape[:, index] = 0.5 * (lo + hi)
        value = body.rest_measurements(shape)[measure]
        low = value < goal
        lo, hi = torch.where(low, shape[:, index], lo), torch.where(low, hi, shape[:, index])
    shape[:, index] = 0.5 * (lo + hi)
    return shape


@torch.no_grad()
def fit_with_hints(fitter: MeshFitter, target: torch.Tensor, hints: ShapeHints) -> BodyFit:
    """``fitter`` on (B, V, 3) meshes with the hinted shape parameters held (see the module docstring)."""
    body = fitter.body
    fixed: dict[int, torch.Tensor] = {}
    if hints.gender is not None:
        fixed[GENDER] = torch.tensor(hints.gender)
    if hints.age_years is not None:
        fixed[AGE] = torch.tensor(float(body.age_parameter(hints.age_years)))
    fit = fitter(target, fixed=fixed)
    if hints.height_cm is None and hints.weight_kg is None:
        return fit
    shape = fit.shape.clone()
    for _ in range(2):  # mass depends on height: two rounds settle both
        if hints.height_cm is not None:
            shape = _solve_parameter(body, shape, HEIGHT, hints.height_cm / 100.0, 0)
        if hints.weight_kg is not None:
            shape = _solve_parameter(body, shape, WEIGHT, hints.weight_kg, 1)
    # the pose is fitted again with the whole solved shape held: freeing muscle or proportions again
    # would move the height and mass away from what the user said
    return fitter(target, shape=shape)
