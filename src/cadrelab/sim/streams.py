"""Random streams: one per activity, named, all spawned from one seed.

A replication's streams are children of ``SeedSequence(seed)`` keyed by the
replication number and then by names (``"arrivals", "HT-KS"``;
``"service", "DD-CN", 2, "in_person"``; ``"absence", "pct-1"``), never by
position.  Adding an officer, a procedure or a step therefore leaves every
other stream untouched: two scenarios with the same seed see the same citizens
(common random numbers), which is what makes their comparison fair.
"""

from __future__ import annotations

import zlib

import numpy as np


def replication_seeds(seed: int, replication: int) -> np.random.SeedSequence:
    """The root of replication ``replication`` (the same as ``SeedSequence(seed).spawn``)."""
    return np.random.SeedSequence(seed, spawn_key=(replication,))


def stream(root: np.random.SeedSequence, *names: str | int) -> np.random.Generator:
    """The generator for the activity ``names`` below ``root``."""
    key = tuple(zlib.crc32(str(name).encode("utf-8")) for name in names)
    child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *key))
    return np.random.Generator(np.random.PCG64(child))
