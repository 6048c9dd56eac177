"""Former home of the camera solve, now ``gtrs.fit.camera`` (below ``viz`` and the baselines, which
use it too). Kept as an alias."""
from gtrs.fit.camera import (  # noqa: F401
    default_focal,
    fit_weak_perspective,
    project,
    reprojection_error,
    solve_translation,
)
