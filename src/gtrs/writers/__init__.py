"""Files out: one person's result and the people JSON (results.py), body parameters, BVH and the
skinned glTF of a fitted body (body_params.py, skinned_glb.py), and the axes files are written in
(frames.py). Used by the inference pipeline (``gtrs.infer``)."""
