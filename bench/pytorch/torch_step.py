"""PyTorch's time for the training step gan.cpp runs, for the side-by-side scripts in scripts/.

  /usr/bin/python3 bench/pytorch/torch_step.py bench --arch classic --batches 100,32,512 [--json F]
  /usr/bin/python3 bench/pytorch/torch_step.py epochs --arch classic --epochs 3 --csv F
  python3 bench/pytorch/torch_step.py bench --arch dcgan --batches 64 --device cuda [--compile]

The models and the step are those of tests/golden/reference_models.py (the golden values' source), so
the step timed is the one whose numbers gan.cpp matches. MNIST_DIR names the folder with the IDX files
(default data/mnist). One thread: set OMP_NUM_THREADS and OPENBLAS_NUM_THREADS in the environment too,
because Debian's torch calls OpenBLAS, whose threads torch.set_num_threads does not bound.

--device cuda runs the step on a GPU as a PyTorch user would: the models, the training images and the
latents' generator on the card, Adam with PyTorch's default (multi-tensor) implementation, PyTorch's
default TF32 settings; --compile wraps G and D in torch.compile (the default mode), after the warm-up
steps have compiled them. Each timed step ends with the losses read back, which waits for the card.

bench prints one line per batch size, `<arch>_B<batch> median <ms> ms p10 <ms> ...`, timing whole steps
(batch gather included) after a warm-up; epochs trains full epochs and writes epoch,epoch_seconds rows.
"""
import argparse
import csv
import gzip
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "golden"))
from reference_models import (ClassicDiscriminator, ClassicGenerator, DcganDiscriminator,  # noqa: E402
                              DcganGenerator, ExampleDiscriminator, ExampleGenerator, GanTrainer, dcgan_init,
                              example_weights_init, glorot_init)

# Each architecture's gan.cpp defaults: learning rate, Adam betas, label smoothing, latent draw.
ARCHS = {
    "classic": dict(lr=0.001, betas=(0.9, 0.999), smooth=0.1, normal_z=False),
    "dcgan": dict(lr=2e-4, betas=(0.5, 0.999), smooth=0.0, normal_z=True),
    # PyTorch's examples/dcgan in RGB (ngf = ndf = 64, nz = 100), on random images: reading data is
    # measured on its own (scripts/bench_data_share.sh).
    "dcgan64": dict(lr=2e-4, betas=(0.5, 0.999), smooth=0.0, normal_z=True, size=64),
    "dcgan32": dict(lr=2e-4, betas=(0.5, 0.999), smooth=0.0, normal_z=True, size=32),
}


def read_idx_images(folder):
    """train-images-idx3-ubyte (or .gz) as float32 (N, 784) in [-1, 1]."""
    path = os.path.join(folder, "train-images-idx3-ubyte")
    opener = open if os.path.exists(path) else gzip.open
    with opener(path if opener is open else path + ".gz", "rb") as f:
        raw = f.read()
    if int.from_bytes(raw[0:4], "big") != 0x803:
        sys.exit(f"{path}: not an IDX image file")
    n, rows, cols = (int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
    u8 = torch.frombuffer(bytearray(raw[16:16 + n * rows * cols]), dtype=torch.uint8)
    return u8.to(torch.float32).reshape(n, rows * cols) / 255.0 * 2.0 - 1.0


def make_gan(arch, seed, device="cpu", compile_models=False):
    torch.manual_seed(seed)
    cfg = ARCHS[arch]
    if arch == "classic":
        G, D = ClassicGenerator(), ClassicDiscriminator()
        glorot_init(G)
        glorot_init(D)
    elif "size" in cfg:
        # The example's networks; D without its closing Sigmoid, since the step takes logits (the same
        # arithmetic as the example's Sigmoid + BCELoss, done stably).
        G, D = ExampleGenerator(100, 64, 3, cfg["size"]), ExampleDiscriminator(64, 3, cfg["size"])
        D.main = D.main[:-1]
        G.apply(example_weights_init)
        D.apply(example_weights_init)
    else:
        G, D = DcganGenerator(), DcganDiscriminator()
        dcgan_init(G)
        dcgan_init(D)
    gan = GanTrainer(G.to(device), D.to(device), lr=cfg["lr"], betas=cfg["betas"], smooth=cfg["smooth"])
    if device != "cpu":  # PyTorch's default Adam on a GPU (foreach), not the golden values' per-tensor one
        gan.opt_g = torch.optim.Adam(gan.G.parameters(), lr=cfg["lr"], betas=cfg["betas"], eps=1e-8)
        gan.opt_d = torch.optim.Adam(gan.D.parameters(), lr=cfg["lr"], betas=cfg["betas"], eps=1e-8)
    if compile_models:
        gan.G, gan.D = torch.compile(gan.G), torch.compile(gan.D)
    return gan


class Batches:
    """Reshuffled full batches of the training images, and latents, from one seeded stream."""

    def __init__(self, images, arch, batch, seed, device="cpu"):
        size = ARCHS[arch].get("size")
        if size:  # eight batches of random RGB images
            images = torch.rand(8 * batch, 3, size, size, generator=torch.Generator().manual_seed(seed)) * 2 - 1
        self.x = images if arch == "classic" or size else images.reshape(-1, 1, 28, 28)
        self.x = self.x.to(device)
        self.batch, self.normal_z = batch, ARCHS[arch]["normal_z"]
        self.z_shape = (batch, 100, 1, 1) if size else (batch, 100)  # the example's G takes (B, nz, 1, 1)
        self.gen = torch.Generator().manual_seed(seed + 1)
        self.device = device
        self.zgen = self.gen if device == "cpu" else torch.Generator(device=device).manual_seed(seed + 1)
        self.steps = self.x.shape[0] // batch

    def epoch(self):
        order = torch.randperm(self.x.shape[0], generator=self.gen).to(self.device)
        for i in range(self.steps):
            yield self.x[order[i * self.batch:(i + 1) * self.batch]], self.latent()

    def latent(self):
        if self.normal_z:
            return torch.randn(self.z_shape, generator=self.zgen, device=self.device)
        return torch.rand(self.z_shape, generator=self.zgen, device=self.device) * 2.0 - 1.0


def bench(args, images):
    results = {}
    for B in (int(b) for b in args.batches.split(",") if b):
        gan = make_gan(args.arch, args.seed, args.device, args.compile)
        data = Batches(images, args.arch, B, args.seed, args.device)
        times, cpu = [], []
        batches = data.epoch()
        for i in range(args.warmup + args.steps):
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                real, z = next(batches)
            except StopIteration:
                batches = data.epoch()
                real, z = next(batches)
            gan.step(real, z)
            if i >= args.warmup:
                times.append((time.perf_counter() - t0) * 1e3)
                cpu.append((time.process_time() - c0) * 1e3)
        times.sort()
        r = dict(batch=B, steps=len(times), median_ms=statistics.median(times),
                 p10_ms=times[len(times) // 10], p90_ms=times[min(len(times) - 1, len(times) * 9 // 10)])
        r["img_per_s"] = B / r["median_ms"] * 1e3
        r["cpu_median_ms"] = statistics.median(cpu)
        results[f"B{B}"] = r
        print(f"{args.arch}_B{B} median {r['median_ms']:.3f} ms p10 {r['p10_ms']:.3f} p90 {r['p90_ms']:.3f} "
              f"{r['img_per_s']:.0f} img/s cpu {r['cpu_median_ms']:.3f} ms", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


def epochs(args, images):
    gan = make_gan(args.arch, args.seed, args.device, args.compile)
    data = Batches(images, args.arch, args.batch, args.seed, args.device)
    with open(args.csv, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["epoch", "epoch_seconds"])
        for e in range(1, args.epochs + 1):
            t0 = time.perf_counter()
            for real, z in data.epoch():
                gan.step(real, z)
            dt = time.perf_counter() - t0
            out.writerow([e, f"{dt:.3f}"])
            f.flush()
            print(f"epoch {e}/{args.epochs} {dt:.2f} s", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["bench", "epochs"])
    ap.add_argument("--arch", choices=sorted(ARCHS), default="classic")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batches", default="100", help="bench: comma-separated batch sizes")
    ap.add_argument("--warmup", type=int, default=20, help="bench: untimed steps first")
    ap.add_argument("--steps", type=int, default=200, help="bench: timed steps")
    ap.add_argument("--json", default="", help="bench: also write the results as JSON")
    ap.add_argument("--batch", type=int, default=100, help="epochs: batch size")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--csv", default="torch_epochs.csv", help="epochs: per-epoch seconds")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="where the step runs")
    ap.add_argument("--compile", action="store_true", help="G and D under torch.compile")
    args = ap.parse_args()
    torch.set_num_threads(1)
    images = read_idx_images(os.environ.get("MNIST_DIR", "data/mnist"))
    bench(args, images) if args.mode == "bench" else epochs(args, images)


if __name__ == "__main__":
    main()
