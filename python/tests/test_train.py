# gancpp.train on the fixture: from a folder and from an array it trains what `gan train` trains with
# the same options; every option by its flag's name; resume; bad arguments refused.
import numpy as np
import pytest

import gancpp
from conftest import MINI, QUICK, cli_flags, gan


def same_generator(a, b):
    return gancpp.load(a).sample(64, seed=9).tobytes() == gancpp.load(b).sample(64, seed=9).tobytes()


def test_train_from_folder_is_gan_train(cli_run, tmp_path):
    reports = []
    run = gancpp.train(data=MINI, out=str(tmp_path / "run"), epochs=2, on_epoch=reports.append, **QUICK)
    assert run.directory == str(tmp_path / "run") and run.finished
    assert [r["epoch"] for r in reports] == [1, 2] and reports[0]["epochs"] == 2
    for key in ["d_loss", "g_loss", "d_real", "d_fake", "seconds", "images_per_s", "augment_p"]:
        assert key in reports[0]
    metrics = run.metrics
    assert [m["epoch"] for m in metrics] == [1, 2]
    assert metrics[1]["d_loss"] == pytest.approx(reports[1]["d_loss_mean"], abs=1e-5)
    assert run.options["epochs"] == 2 and run.options["data"] == MINI
    assert same_generator(run, cli_run)
    assert run.generator.sample(2, seed=0).shape == (2, 28, 28)


def test_train_from_array_is_gan_train(cli_run, mini_train, tmp_path):
    images, labels = mini_train
    run = gancpp.train(data=images, labels=labels, out=str(tmp_path / "a"), epochs=2, on_epoch=lambda r: None,
                       **QUICK)
    assert same_generator(run, cli_run)
    # (N, H, W, 1) is the same data.
    run1 = gancpp.train(data=images[..., None], out=str(tmp_path / "b"), epochs=2, on_epoch=lambda r: None, **QUICK)
    assert same_generator(run1, cli_run)


def test_conditional_from_array(mini_train, tmp_path):
    images, labels = mini_train
    run = gancpp.train(data=images, labels=labels, conditional=True, out=str(tmp_path / "c"), epochs=1,
                       on_epoch=lambda r: None, **QUICK)
    g = run.generator
    assert g.num_classes == 10
    assert g.sample(10, seed=1, labels=np.arange(10)).shape == (10, 28, 28)
    # Chosen classes as `gan sample --labels` draws them, and the default classes (i % 10) as `gan sample`.
    chosen = np.arange(30) % 7
    np.save(tmp_path / "labels.npy", chosen)
    gan("sample", "--checkpoint", run.directory, "--labels", tmp_path / "labels.npy", "--seed", 4, "--out",
        tmp_path / "chosen.npy")
    assert np.load(tmp_path / "chosen.npy").tobytes() == g.sample(30, seed=4, labels=chosen).tobytes()
    gan("sample", "--checkpoint", run.directory, "--n", 30, "--seed", 4, "--out", tmp_path / "any.npy")
    assert np.load(tmp_path / "any.npy").tobytes() == g.sample(30, seed=4).tobytes()
    with pytest.raises(ValueError, match="not in"):
        g.sample(2, labels=np.array([0, 10]))


def test_options_by_flag_name(tmp_path):
    options = dict(QUICK, d_steps=2, lr=0.001, beta1=0.6, loss="lsgan", hidden=64)
    run = gancpp.train(data=MINI, out=str(tmp_path / "py"), epochs=1, on_epoch=lambda r: None, **options)
    o = run.options
    assert o["d_steps"] == 2 and o["lr"] == pytest.approx(0.001) and o["loss"] == "lsgan" and o["hidden"] == 64
    gan("train", "--data", MINI, "--out", tmp_path / "cli", "--epochs", 1, *cli_flags(options))
    assert same_generator(run, str(tmp_path / "cli"))
    names = {o["name"] for o in gancpp.options()}
    assert {"lr", "d_steps", "arch", "epochs", "out", "data"} <= names


def test_resume_continues(tmp_path, capsys):
    out = str(tmp_path / "run")
    gancpp.train(data=MINI, out=out, epochs=1, on_epoch=lambda r: None, **QUICK)
    run = gancpp.train(data=MINI, out=out, resume=True, epochs=2, lr=0.001)
    assert "lr 0.002 -> 0.001" in capsys.readouterr().out
    assert [m["epoch"] for m in run.metrics] == [1, 2] and run.options["lr"] == pytest.approx(0.001)
    with pytest.raises(gancpp.Error, match="already holds a run"):
        gancpp.train(data=MINI, out=out, epochs=1, **QUICK)


def test_bad_arguments(mini_train, tmp_path):
    images, labels = mini_train
    out = str(tmp_path / "bad")
    with pytest.raises(TypeError, match="no_such_option"):
        gancpp.train(data=MINI, out=out, no_such_option=1)
    with pytest.raises(ValueError, match="--lr"):
        gancpp.train(data=MINI, out=out, lr="fast")
    with pytest.raises(gancpp.Error, match="--lr"):
        gancpp.train(data=MINI, out=out, lr=-1.0)
    with pytest.raises(ValueError, match="uint8"):
        gancpp.train(data=images.astype(np.float64), out=out)
    with pytest.raises(ValueError, match="dimensions"):
        gancpp.train(data=images.reshape(len(images), -1), out=out)
    with pytest.raises(ValueError, match="C-contiguous"):
        gancpp.train(data=images[:, ::2, ::2], out=out)
    with pytest.raises(ValueError, match="labels"):
        gancpp.train(data=images, labels=labels[:10], out=out)
    with pytest.raises(ValueError, match="labels"):
        gancpp.train(data=MINI, labels=labels, out=out)


def test_on_epoch_exception_stops_with_state_saved(tmp_path):
    out = str(tmp_path / "run")

    def stop_after_first(report):
        if report["epoch"] == 1:
            raise RuntimeError("enough")

    with pytest.raises(RuntimeError, match="enough"):
        gancpp.train(data=MINI, out=out, epochs=3, on_epoch=stop_after_first, **QUICK)
    assert [m["epoch"] for m in gancpp.Run(out).metrics] == [1]
    run = gancpp.train(data=MINI, out=out, resume=True, epochs=2, on_epoch=lambda r: None)
    assert [m["epoch"] for m in run.metrics] == [1, 2] and run.finished


def test_array_refuses_folder_options(mini_train, tmp_path):
    images, _ = mini_train
    with pytest.raises(ValueError, match="image_size"):
        gancpp.train(data=images, image_size=32, out=str(tmp_path / "x"))
    with pytest.raises(ValueError, match="eval_every"):
        gancpp.train(data=images, eval_every=1, out=str(tmp_path / "y"))
