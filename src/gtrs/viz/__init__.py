"""Pictures and pages: headless rendering, overlays, the 3D results page, posture sheets.
Layer: above readers; imports readers and below."""
