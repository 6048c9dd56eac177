"""Shape hints (issue #30, item 4): what the user knows of a body is held in the fit."""
import subprocess
import sys

import numpy as np
import pytest
import torch

from gtrs.fit.mesh import MeshFitter
from gtrs.fit.shape_hints import AGE, GENDER, ShapeHints, fit_with_hints, held_parameters


def test_hints_are_met_and_held(anny_body):
    truth = torch.tensor([[0.0, 0.8, 0.5, 0.6, 0.6, 0.4]], dtype=anny_body.dtype)
    target = anny_body(anny_body.identity_rotations(1), truth).vertices
    height, mass = anny_body.rest_measurements(truth)
    years = float(anny_body.years_of_age(0.8))
    hints = ShapeHints(gender=0.0, age_years=years, height_cm=float(height[0]) * 100, weight_kg=float(mass[0]))
    fit = fit_with_hints(MeshFitter(anny_body), target, hints)
    got_height, got_mass = anny_body.rest_measurements(fit.shape)
    assert abs(float(got_height[0] - height[0])) < 0.005 and abs(float(got_mass[0] - mass[0])) < 1.0
    assert float(fit.shape[0, GENDER]) == 0.0 and float(fit.shape[0, AGE]) == pytest.approx(0.8, abs=1e-3)
    # a very different stated height is met too (the body is scaled by anny's height, not left as seen)
    tall = fit_with_hints(MeshFitter(anny_body), target, ShapeHints(height_cm=195.0))
    assert abs(float(anny_body.rest_measurements(tall.shape)[0][0]) - 1.95) < 0.01
    assert held_parameters(hints) == (0, 1, 4, 3)


def test_the_age_scale_is_anny_s_calibration(anny_body):
    ages = anny_body.age_parameter(np.array([1.0, 11.0, 18.0, 64.0]))
    np.testing.assert_allclose(ages, [0.05, 0.415, 0.77, 0.83], atol=1e-6)
    np.testing.assert_allclose(anny_body.years_of_age(ages), [1.0, 11.0, 18.0, 64.0], atol=1e-6)


def test_bad_hints_are_one_line():
    with pytest.raises(ValueError, match="age_years must lie"):
        ShapeHints(age_years=300)
    assert ShapeHints.parse_gender("Female") == 1.0 and ShapeHints.parse_gender("0.3") == 0.3
    for args, words in ((["--gender", "x"], "--gender must be male"), (["--height", "20"], "--height must lie")):
        result = subprocess.run([sys.executable, "-m", "gtrs.cli", "predict", "nowhere.json", *args],
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr
