"""Blocks on a Ray cluster: an actor pool of ``BlockWorker``s, fed from the driver's reader.

Each actor loads the model once (on its CPU, or a GPU with ``device='cuda'``). The driver keeps at
most ``IN_FLIGHT_PER_WORKER`` blocks per actor in flight, so memory stays flat however long the input
is, and hands each finished block to ``on_done`` as it arrives. Actors restart when their process
dies and the block they held is run again (``max_restarts``/``max_task_retries``), so a killed worker
costs time, not people; a block computed twice is still written once (its part has a fixed name).
"""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterator

from gtrs.infer.blocks import Block, BlockOutcome, BlockTask, BlockWorker

IN_FLIGHT_PER_WORKER = 2  # one block running, one waiting: an actor never idles for the driver


def ray_module():
    """The ``ray`` package, or one clear line on how to get it."""
    try:
        import ray
    except ImportError:
        raise ImportError("--engine ray needs Ray: pip install 'gtrs[ray]'") from None
    return ray


def check_address(address: str, timeout: float = 10.0) -> None:
    """Refuse (ConnectionError, one line) a HOST:PORT where nothing listens, before Ray would retry it
    for minutes."""
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return  # 'auto', or a form Ray resolves itself
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as e:
        raise ConnectionError(f"--address {address}: no Ray cluster answers there ({e.strerror or e})") from None


def run_blocks_on_ray(blocks: Iterator[Block], task: BlockTask, on_done: Callable[[BlockOutcome], None],
                      address: str | None = None, workers: int | None = None) -> int:
    """Run every block of ``blocks`` on ``workers`` actors (default: one per CPU of the cluster) of the
    Ray cluster at ``address`` (default: a local one started for this job, with ``workers`` CPUs);
    returns the number of actors used."""
    ray = ray_module()
    own = not ray.is_initialized()
    if own and address is not None:
        check_address(address)
    if own:
        # no address: a Ray of our own ("local"), never a cluster that happens to run on this machine
        local = {"num_cpus": workers or os.cpu_count()} if address is None else {}
        ray.init(address=address or "local", include_dashboard=False, log_to_driver=False,
                 logging_level=logging.WARNING, **local)
    actors = []
    try:
        count = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        options = {"num_cpus": 1, "max_restarts": -1, "max_task_retries": -1}
        if task.device != "cpu":
            options["num_gpus"] = 1
        actor_class = ray.remote(**options)(BlockWorker)
        actors = [actor_class.remote(task) for _ in range(count)]
        load = {k: 0 for k in range(count)}
        in_flight: dict = {}  # object ref -> actor number

        def collect_one() -> None:
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            for ref in ready:
                load[in_flight.pop(ref)] -= 1
                on_done(ray.get(ref))

        for block in blocks:
            while len(in_flight) >= IN_FLIGHT_PER_WORKER * count:
                collect_one()
            k = min(load, key=load.get)
            in_flight[actors[k].run.remote(block)] = k
            load[k] += 1
        while in_flight:
            collect_one()
        return count
    finally:
        for actor in actors:
            ray.kill(actor)
        if own:
            ray.shutdown()
