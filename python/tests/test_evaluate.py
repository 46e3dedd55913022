# gancpp.evaluate against `gan eval --samples ... --json` on the fixture: the same figures.
import json
import os

import numpy as np
import pytest

import gancpp
from conftest import GAN, MINI, gan, read_idx


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A classifier cache of the tests' own, the classifier trained there once (small and quick)."""
    folder = tmp_path_factory.mktemp("cache")
    os.environ["GAN_CACHE"] = str(folder)
    gan("classifier", "train", "--data", MINI, "--epochs", 3, "--width", 8, "--batch", 32)
    return folder


def cli_eval(images, tmp_path):
    np.save(tmp_path / "samples.npy", images)
    gan("eval", "--samples", tmp_path / "samples.npy", "--data", MINI, "--json", tmp_path / "eval.json")
    return json.loads((tmp_path / "eval.json").read_text())


def test_evaluate_is_gan_eval(cache, cli_run, tmp_path):
    images = gancpp.load(cli_run).sample(200, seed=2)
    py = gancpp.evaluate(images, data=MINI)
    cli = cli_eval(images, tmp_path)
    for key in ["fid", "classifier_score", "classes_covered", "kl_uniform", "precision", "recall", "density",
                "coverage", "memorisation", "nearest_train_distance_ratio", "n", "k", "class_histogram", "classes"]:
        assert py[key] == pytest.approx(cli[key], rel=1e-9, abs=1e-12), key
    assert py["features"] == "classifier" and py["n"] == 200


def test_real_images_score_better_than_samples(cache, cli_run):
    test = read_idx("t10k-images-idx3-ubyte")
    real = gancpp.evaluate(test[:200], data=MINI)
    fake = gancpp.evaluate(gancpp.load(cli_run).sample(200, seed=2), data=MINI)
    assert real["fid"] < fake["fid"]
    assert real["classes_covered"] == 10
    # The images' dimension may carry the channel: (N, 28, 28, 1) is the same set.
    assert gancpp.evaluate(test[:200, :, :, None], data=MINI)["fid"] == real["fid"]


def test_evaluate_refuses_other_shapes(cache):
    with pytest.raises(ValueError, match="28x28"):
        gancpp.evaluate(np.zeros((20, 32, 32), np.uint8), data=MINI)
    with pytest.raises(ValueError, match="more than k"):
        gancpp.evaluate(np.zeros((5, 28, 28), np.uint8), data=MINI)
