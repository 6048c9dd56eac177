"""Motion capture: BVH and Acclaim ASF/AMC reading, retargeting onto the body model, fidelity.
Layer: above metrics; imports metrics and body."""
