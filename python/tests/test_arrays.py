# Arrays are checked at the boundary: a wrong dtype, rank, layout or shape is a ValueError naming the
# argument, never a crash; the library's errors are gancpp.Error with its one-line message.
import os

import numpy as np
import pytest

import gancpp
from conftest import MINI


@pytest.fixture(scope="module")
def g(cli_run):
    return gancpp.load(cli_run)


def test_latents_refused(g):
    good = np.zeros((4, g.z_dim), np.float32)
    assert g(good).shape == (4, 28, 28)
    cases = {
        "float64": (np.zeros((4, g.z_dim)), "float32"),
        "rank": (np.zeros((4, g.z_dim, 1), np.float32), "dimensions"),
        "width": (np.zeros((4, g.z_dim + 1), np.float32), r"shape \(N, 100\)"),
        "empty": (np.zeros((0, g.z_dim), np.float32), r"shape \(N, 100\)"),
        "view": (np.zeros((4, 2 * g.z_dim), np.float32)[:, ::2], "C-contiguous"),
        "fortran": (np.asfortranarray(np.zeros((4, g.z_dim), np.float32)), "C-contiguous"),
    }
    for name, (z, words) in cases.items():
        with pytest.raises(ValueError, match=words):
            g(z)


def test_sample_arguments_refused(g):
    with pytest.raises(ValueError, match="not conditional"):
        g.sample(4, labels=np.zeros(4, np.int64))
    with pytest.raises(ValueError, match="n must be"):
        g.sample(0)


def test_images_refused():
    good = np.zeros((10, 28, 28), np.uint8)
    cases = {
        "float64": (good.astype(np.float64), "uint8"),
        "int": (good.astype(np.int32), "uint8"),
        "rank": (np.zeros((10, 784), np.uint8), "dimensions"),
        "rank5": (np.zeros((2, 10, 28, 28, 1), np.uint8), "dimensions"),
        "channels": (np.zeros((10, 28, 28, 2), np.uint8), r"C 1 or 3"),
        "view": (np.zeros((10, 28, 56), np.uint8)[:, :, ::2], "C-contiguous"),
        "transposed": (np.zeros((28, 28, 10), np.uint8).transpose(2, 0, 1), "C-contiguous"),
    }
    for name, (images, words) in cases.items():
        with pytest.raises(ValueError, match=words):
            gancpp.evaluate(images, data=MINI)


def test_errors_carry_the_library_message(tmp_path):
    missing = str(tmp_path / "missing.safetensors")
    with pytest.raises(gancpp.Error, match="missing.safetensors"):
        gancpp.load(missing)
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{nonsense")
    with pytest.raises(gancpp.Error) as e:
        gancpp.load(bad)  # a pathlib.Path is taken too
    assert str(bad) in str(e.value) and "\n" not in str(e.value)
    assert issubclass(gancpp.Error, RuntimeError)
