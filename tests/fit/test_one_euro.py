"""The One Euro filter: still signals stay, noise is cut, missed samples are held."""
import numpy as np

from gtrs.fit.one_euro import OneEuroConfig, one_euro


def test_constant_signal_is_unchanged_and_noise_is_cut():
    assert np.allclose(one_euro(np.full((50, 3), 2.5), 30.0), 2.5)
    rng = np.random.default_rng(0)
    t = np.arange(300) / 30.0
    clean = np.sin(2 * np.pi * 0.1 * t)[:, None]
    noisy = clean + rng.normal(0, 0.2, clean.shape)
    smooth = one_euro(noisy, 30.0, OneEuroConfig(min_cutoff=1.0))
    inner = slice(30, -30)  # away from the ends, where a filter has less to go on
    assert np.abs(smooth - clean)[inner].mean() < 0.4 * np.abs(noisy - clean)[inner].mean()
    # zero-phase: no lag on a slow signal
    lag = np.argmax(np.correlate(smooth[:, 0] - smooth.mean(), clean[:, 0] - clean.mean(), "full")) - (len(t) - 1)
    assert abs(lag) <= 1


def test_missed_samples_are_held_and_do_not_move_the_filter():
    x = np.array([[0.0], [0.0], [100.0], [0.0], [0.0]])
    valid = np.array([[True], [True], [False], [True], [True]])
    out = one_euro(x, 30.0, OneEuroConfig(zero_phase=False), valid=valid)
    assert np.allclose(out, 0.0)
    late = one_euro(np.array([[5.0], [1.0], [1.0]]), 30.0, OneEuroConfig(zero_phase=False),
                    valid=np.array([[False], [True], [True]]))
    assert np.allclose(late[1:], 1.0)  # a signal starts at its first valid sample


def test_zero_phase_follows_a_steady_drift_to_the_last_frame():
    ramp = np.arange(60, dtype=float)[:, None] * 2.0  # 2 px per frame
    out = one_euro(ramp, 30.0, OneEuroConfig(min_cutoff=1.0))
    assert np.abs(out - ramp).max() < 0.5


def test_the_fast_path_equals_the_loop():
    """With beta 0 and every sample valid the filter runs through scipy; same numbers as the loop."""
    from gtrs.fit.one_euro import _one_pass

    x = np.random.default_rng(1).normal(size=(80, 5))
    cfg = OneEuroConfig(min_cutoff=2.0, zero_phase=False)
    fast = _one_pass(x, np.ones(x.shape, dtype=bool), 30.0, cfg)
    loop = _one_pass(x, np.ones(x.shape, dtype=bool) & (np.arange(80)[:, None] >= 0), 30.0,
                     OneEuroConfig(min_cutoff=2.0, beta=1e-300, zero_phase=False))  # forces the loop
    assert np.allclose(fast, loop, atol=1e-9)


def test_the_zero_phase_fast_path_equals_the_loop_for_mesh_shaped_float32_input():
    x = np.random.default_rng(2).normal(size=(90, 40, 3)).astype(np.float32)
    fast = one_euro(x, 30.0, OneEuroConfig(min_cutoff=3.0))
    loop = one_euro(x.astype(np.float64), 30.0, OneEuroConfig(min_cutoff=3.0, beta=1e-300))  # forces the loop
    assert fast.dtype == np.float32 and fast.shape == x.shape
    assert np.allclose(fast, loop, atol=1e-5)
