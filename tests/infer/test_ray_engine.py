"""``gtrs predict --engine ray`` against a real Ray cluster that the test starts on this machine
(``ray start --head`` on 127.0.0.1, 2 CPUs): the same people and numbers as the local engine, bad
records reported as locally, and a worker process killed mid-job costing no one."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.infer.test_table_job import assert_rows_equal_records, classic, crowd  # noqa: F401 (fixtures)
from tests.robustness.test_predict_faults import GTRS

ray = pytest.importorskip("ray")
RAY = str(Path(sys.executable).with_name("ray"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """The address of a one-node Ray cluster with 2 CPUs (token authentication off: a test cluster
    on the loopback; README says how to join a cluster that has it on)."""
    env = os.environ | {"RAY_AUTH_MODE": "disabled"}
    port = _free_port()
    started = subprocess.run([RAY, "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port),
                              "--num-cpus", "2", "--include-dashboard", "false", "--disable-usage-stats"],
                             capture_output=True, text=True, env=env, timeout=180)
    assert started.returncode == 0, started.stderr
    try:
        yield f"127.0.0.1:{port}", env
    finally:
        subprocess.run([RAY, "stop", "--force"], capture_output=True, env=env, timeout=120)


def _workers() -> list[int]:
    """Process ids of the job's Ray actors (Ray names an actor's process after its class)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"BlockWorker" in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_ray_engine_gives_the_local_engines_people_and_numbers(cluster, crowd, classic, tmp_path, monkeypatch):
    from gtrs import read_people
    from gtrs.infer.table_job import predict_table

    address, env = cluster
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    records, errors = classic
    local = predict_table(crowd, tmp_path / "local", ("parquet",), block_size=8, show_progress=False, precision="float32")
    on_ray = predict_table(crowd, tmp_path / "ray", ("parquet",), engine="ray", address=address, workers=2,
                           block_size=8, show_progress=False, precision="float32")
    assert on_ray.people == local.people == 39
    assert on_ray.errors == local.errors == errors  # the bad record, in the same words
    a, b = read_people(tmp_path / "ray" / "people.parquet"), read_people(tmp_path / "local" / "people.parquet")
    assert_rows_equal_records(a, b.to_dict("records"))  # same blocks, same numbers
    assert_rows_equal_records(a, records)  # and gtrs predict's
    # body shapes to 5e-3 (of parameters in [0, 1]): an actor runs torch on 1 thread, this process on 2,
    # which sums in another order, and the fit's shape has flat directions (muscle, weight: 1.2e-3 apart
    # once, while the joints above agree to 5e-5 m)
    shapes = [np.array([list(s.values()) for s in rows["shape"]]) for rows in (a, b)]
    np.testing.assert_allclose(shapes[0], shapes[1], rtol=0, atol=5e-3)


def test_a_worker_killed_mid_job_costs_no_one(cluster, crowd, classic, tmp_path):
    """One actor process is killed once the job has written its first part: Ray restarts it and runs
    its block again; the job completes with every person exactly once."""
    from gtrs import read_people

    address, env = cluster
    records, _ = classic
    out = tmp_path / "out"
    killed = []

    def kill_one_worker():
        deadline = time.time() + 600
        while time.time() < deadline and not list((out / "people.parquet").glob("part-*.parquet")):
            time.sleep(0.05)
        for pid in _workers()[:1]:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    killer = threading.Thread(target=kill_one_worker, daemon=True)
    killer.start()
    done = subprocess.run([*GTRS, "predict", str(crowd), "--out", str(out), "--formats", "parquet", "--engine", "ray",
                           "--address", address, "--workers", "2", "--block-size", "4", "--precision", "float32"],
                          capture_output=True, text=True, env=env, timeout=900)
    killer.join(timeout=5)
    assert done.returncode == 0, done.stderr[-2000:]
    assert killed, "no worker was running to be killed"
    assert "39 people" in done.stdout and "#7" in done.stderr
    rows = read_people(out / "people.parquet")
    assert rows["source"].is_unique and len(rows) == 39
    assert_rows_equal_records(rows, records)


def test_json_only_on_ray_and_a_missing_cluster_is_one_line(cluster, crowd, classic, tmp_path):
    import json

    address, env = cluster
    records, _ = classic
    done = subprocess.run([*GTRS, "predict", str(crowd), "--out", str(tmp_path / "json"), "--formats", "none",
                           "--engine", "ray", "--address", address, "--block-size", "16", "--precision", "float32"],
                          capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    written = json.loads((tmp_path / "json" / "crowd_people.json").read_text())["people"]
    assert [r["source"] for r in written] == [r["source"] for r in records]

    nowhere = subprocess.run([*GTRS, "predict", str(crowd), "--out", str(tmp_path / "none"), "--engine", "ray",
                              "--address", f"127.0.0.1:{_free_port()}"], capture_output=True, text=True, env=env,
                             timeout=300)
    assert nowhere.returncode == 2 and "Traceback" not in nowhere.stderr
    assert nowhere.stderr.strip().splitlines()[-1].startswith("error: ")
    assert shutil.which(RAY) or Path(RAY).exists()
