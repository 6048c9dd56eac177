from gtrs.mocap.report import fidelity_markdown, fidelity_report
from tests.bvh_factory import DAZ, DAZ_END_SITES, bvh_text, random_frames


def test_fidelity_report_measures_every_clip_and_totals(tmp_path, anny_body):
    for subject in ("01", "02"):
        (tmp_path / subject).mkdir()
        for c in range(2):
            frames = random_frames(DAZ, 8, seed=10 * int(subject) + c, degrees=25)
            (tmp_path / subject / f"{subject}_{c}.bvh").write_text(bvh_text(DAZ, DAZ_END_SITES, frames))
    (tmp_path / "02" / "02_bad.bvh").write_text("HIERARCHY\nROOT x\n")
    results, skipped = fidelity_report(tmp_path, show_progress=False)
    assert sorted(r.clip for r in results) == ["01_0", "01_1", "02_0", "02_1"] and list(skipped) == ["02_bad"]
    for r in results:
        assert set(r.per_joint_mm) >= {"left_knee", "right_wrist"}
        # bone directions are transferred exactly; what remains is the body's proportions vs the BVH's
        assert r.mean_mm < 60, (r.clip, r.per_joint_mm)
        assert 0.5 < r.scale < 2.0
    table = fidelity_markdown(results)
    assert "**all (4 clips)**" in table and table.count("\n") == 6
