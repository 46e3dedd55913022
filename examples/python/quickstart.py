"""gan.cpp from Python, notebook style: train the classic GAN, look at its samples, score them.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/quickstart.py [--data DIR] [--epochs N] [--out DIR]

(or, after `cmake --install build`, plain `python3 examples/python/quickstart.py`). The data is MNIST
as `gan train` finds it (data/mnist, or the cache scripts/fetch_mnist.sh --cache fills); the fixture
tests/data/mnist-mini runs it in seconds. Each block below is a notebook cell.
"""
import argparse

import numpy as np

import gancpp

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", default=None, help="an MNIST folder (default: as gan train finds it)")
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--out", default="runs/quickstart")
args = parser.parse_args()

# %% Train the classic GAN (every `gan train` flag is a keyword: lr for --lr, d_steps for --d-steps).
# Ctrl-C stops it with the state saved; gancpp.train(out=..., resume=True) continues it.
run = gancpp.train(data=args.data, out=args.out, epochs=args.epochs, overwrite=True,
                   on_epoch=lambda r: print(f"epoch {r['epoch']}/{r['epochs']}: D loss {r['d_loss']:.3f}, "
                                            f"G loss {r['g_loss']:.3f}, {r['images_per_s']:.0f} img/s"))
print(run, "-", len(run.metrics), "epochs logged")

# %% Draw 64 digits: uint8 (64, 28, 28), the same bytes `gan sample --seed 0` writes.
g = run.generator
images = g.sample(64, seed=0)
grid = images.reshape(8, 8, 28, 28).transpose(0, 2, 1, 3).reshape(8 * 28, 8 * 28)
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.imsave(f"{args.out}/quickstart_grid.png", grid, cmap="gray")
    print(f"wrote {args.out}/quickstart_grid.png (matplotlib)")
except ImportError:
    try:
        from PIL import Image
        Image.fromarray(grid).save(f"{args.out}/quickstart_grid.png")
        print(f"wrote {args.out}/quickstart_grid.png (PIL)")
    except ImportError:
        print("no matplotlib or PIL here: the grid is an array,", grid.shape, grid.dtype)

# %% The generator as a function of its latents: float32 in [-1, 1].
z = np.random.default_rng(1).uniform(-1, 1, (4, g.z_dim)).astype(np.float32)
print("g(z):", g(z).shape, "in", float(g(z).min()), "..", float(g(z).max()))

# %% Score 2000 samples as `gan eval` does (the metrics classifier is trained once and cached).
scores = gancpp.evaluate(g.sample(2000, seed=1), data=args.data)
for key in ["fid", "classifier_score", "classes_covered", "precision", "recall", "coverage"]:
    print(f"{key:>18}: {scores[key]:.3f}")
