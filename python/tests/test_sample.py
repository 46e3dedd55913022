# gancpp.load: g.sample against `gan sample` for the same seed (the same bytes), g(z) against
# `gan sample --z` (the same pixels once rounded).
import os

import numpy as np
import pytest

import gancpp
from conftest import SOURCE, gan

DCGAN_32 = os.path.join(SOURCE, "tests", "data", "example_netG_32.safetensors")


@pytest.mark.parametrize("seed", [0, 5])
def test_sample_is_gan_sample(cli_run, tmp_path, seed):
    g = gancpp.load(cli_run)
    images = g.sample(300, seed=seed)  # more than one chunk of the generator's
    assert images.dtype == np.uint8 and images.shape == (300, 28, 28)
    gan("sample", "--checkpoint", cli_run, "--n", 300, "--seed", seed, "--out", tmp_path / "cli.npy")
    cli = np.load(tmp_path / "cli.npy")
    assert cli.shape == images.shape
    assert cli.tobytes() == images.tobytes()
    assert images.std() > 0  # not a blank draw
    assert g.sample(300, seed=seed + 1).tobytes() != images.tobytes()


def test_sample_batchnorm_generator(tmp_path):
    """PyTorch's DCGAN example generator (batch norm: each chunk's own statistics) as `gan sample` draws it."""
    g = gancpp.load(DCGAN_32)
    images = g.sample(130, seed=3)
    assert images.shape == (130,) + g.shape
    gan("sample", "--checkpoint", DCGAN_32, "--n", 130, "--seed", 3, "--out", tmp_path / "cli.npy")
    assert np.load(tmp_path / "cli.npy").tobytes() == images.tobytes()


@pytest.mark.parametrize("checkpoint", ["run", DCGAN_32])
def test_call_is_gan_sample_z(cli_run, tmp_path, checkpoint):
    path = cli_run if checkpoint == "run" else checkpoint
    g = gancpp.load(path)
    z = np.random.default_rng(7).uniform(-1, 1, (50, g.z_dim)).astype(np.float32)
    y = g(z)
    assert y.dtype == np.float32 and y.shape == (50,) + g.shape
    assert y.min() >= -1 and y.max() <= 1 and y.std() > 0
    np.save(tmp_path / "z.npy", z)
    gan("sample", "--checkpoint", path, "--z", tmp_path / "z.npy", "--out", tmp_path / "cli.npy")
    cli = np.load(tmp_path / "cli.npy")
    pixels = np.clip(np.round((y.astype(np.float64) + 1) * 127.5), 0, 255).astype(np.uint8)
    # The same values rounded the same way; a value within float rounding of a half may round apart.
    diff = np.abs(pixels.astype(int) - cli.astype(int))
    assert diff.max() <= 1 and (diff == 0).mean() > 0.999
    # Each image depends on its own latent alone (running batch-norm statistics).
    assert np.allclose(g(z[10:20]), y[10:20], atol=1e-5)


def test_generator_properties(cli_run):
    g = gancpp.load(cli_run)
    assert g.z_dim == 100 and g.shape == (28, 28) and g.arch == "mlp" and g.num_classes == 0
    assert "mlp" in repr(g)
    assert gancpp.load(os.path.join(cli_run, "generator.safetensors")).sample(4, seed=1).tobytes() == \
        g.sample(4, seed=1).tobytes()
