"""Motion capture: BVH reading and retargeting onto the body model."""
