# Shared by the gancpp tests (run by ctest with PYTHONPATH at the built module, GAN_BINARY the built
# `gan` and GAN_SOURCE_DIR the source tree; python/CMakeLists.txt).
import gzip
import os
import subprocess

import numpy as np
import pytest

SOURCE = os.environ.get("GAN_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
MINI = os.path.join(SOURCE, "tests", "data", "mnist-mini")
GAN = os.environ.get("GAN_BINARY", os.path.join(SOURCE, "build", "gan"))

# Short runs: one BLAS thread (the same weights on every machine and thread count), few samples.
QUICK = dict(threads=1, samples_per_epoch=4, seed=1)


def gan(*args, cwd=None):
    """Runs the `gan` program; its standard output."""
    r = subprocess.run([GAN, *map(str, args)], capture_output=True, text=True, cwd=cwd)
    assert r.returncode == 0, f"gan {' '.join(map(str, args))}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r.stdout


def read_idx(name):
    """An IDX file of the fixture as an array: images (N, 28, 28) or labels (N,), uint8."""
    with gzip.open(os.path.join(MINI, name + ".gz"), "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape).copy()


@pytest.fixture(scope="session")
def mini_train():
    """The fixture's training images (N, 28, 28) and labels (N,)."""
    return read_idx("train-images-idx3-ubyte"), read_idx("train-labels-idx1-ubyte")


def cli_flags(options):
    """Keyword options as `gan train` flags: d_steps=2 -> --d-steps 2."""
    flags = []
    for name, value in options.items():
        flags += ["--" + name.replace("_", "-"), str(value)]
    return flags


@pytest.fixture(scope="session")
def cli_run(tmp_path_factory):
    """A classic GAN trained 2 epochs on the fixture by `gan train`: its directory."""
    out = tmp_path_factory.mktemp("cli") / "run"
    gan("train", "--data", MINI, "--out", out, "--epochs", 2, *cli_flags(QUICK))
    return str(out)
