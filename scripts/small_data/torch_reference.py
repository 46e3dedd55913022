"""The PyTorch reference of docs/small_data.md: PyTorch's examples/dcgan model at 32x32 trained on an
image folder for a number of steps, plainly or with differentiable augmentation (DiffAugment's color,
translation and cutout of every image D sees, real and fake, in both updates), then samples written as
.npy (N, 32, 32, 3) uint8 for `gan eval --samples FILE --data FOLDER`.

    /usr/bin/python3 scripts/small_data/torch_reference.py --data DIR --steps N --out FILE.npy
        [--augment] [--ngf 16] [--ndf 16] [--batch 64] [--seed 1] [--n 2000]

The models and the step are tests/golden/reference_models.py's (the example's: BCE, Adam 2e-4, betas
0.5/0.999, its weights_init); the augmentation is the project's own PyTorch version of DiffAugment in
tests/golden/make_golden_small_data.py, with its values drawn per image by torch. Samples are drawn as
`gan sample` draws a DCGAN's: G's batch norm on each batch's statistics, batches of 64.
Needs Debian's python3-torch and python3-pil; one thread.
"""
import argparse
import glob
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "golden"))
from make_golden_small_data import brightness, contrast, cutout, saturation, translation  # noqa: E402
from reference_models import ExampleDiscriminator, ExampleGenerator, example_weights_init  # noqa: E402


def load_folder(path):
    files = sorted(glob.glob(os.path.join(path, "**", "*.png"), recursive=True))
    px = np.stack([np.asarray(Image.open(f).convert("RGB"), dtype=np.uint8) for f in files])
    return torch.from_numpy(px).permute(0, 3, 1, 2).float() / 255.0 * 2.0 - 1.0


def diff_augment(x):
    n, _, h, w = x.shape
    x = brightness(x, torch.rand(n) - 0.5)
    x = saturation(x, torch.rand(n) * 2)
    x = contrast(x, torch.rand(n) + 0.5)
    sh, sw = int(h * 0.125 + 0.5), int(w * 0.125 + 0.5)
    x = translation(x, torch.randint(-sh, sh + 1, (n,)), torch.randint(-sw, sw + 1, (n,)))
    ch, cw = int(h * 0.5 + 0.5), int(w * 0.5 + 0.5)
    return cutout(x, torch.randint(0, h + (1 - ch % 2), (n,)), torch.randint(0, w + (1 - cw % 2), (n,)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--augment", action="store_true")
    ap.add_argument("--ngf", type=int, default=16)
    ap.add_argument("--ndf", type=int, default=16)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=2000)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    data = load_folder(a.data)
    nz = 100
    G, D = ExampleGenerator(nz, a.ngf, 3, size=32), ExampleDiscriminator(a.ndf, 3, size=32)
    G.apply(example_weights_init)
    D.apply(example_weights_init)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCELoss()
    aug = diff_augment if a.augment else (lambda t: t)
    ones, zeros = torch.ones(a.batch), torch.zeros(a.batch)
    perm, at = torch.randperm(len(data)), 0
    for step in range(a.steps):
        if at + a.batch > len(data):
            perm, at = torch.randperm(len(data)), 0
        real = data[perm[at:at + a.batch]]
        at += a.batch
        fake = G(torch.randn(a.batch, nz, 1, 1))
        D.zero_grad()
        loss_d = bce(D(aug(real)), ones) + bce(D(aug(fake.detach())), zeros)
        loss_d.backward()
        opt_d.step()
        G.zero_grad()
        loss_g = bce(D(aug(fake)), ones)
        loss_g.backward()
        opt_g.step()
        if (step + 1) % 500 == 0:
            print(f"step {step + 1}: loss_D {loss_d.item():.3f} loss_G {loss_g.item():.3f}", flush=True)
    out = []
    with torch.no_grad():
        for i in range(0, a.n, 64):
            y = G(torch.randn(min(64, a.n - i), nz, 1, 1))
            out.append(((y + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).numpy())
    np.save(a.out + ".tmp.npy", np.concatenate(out))
    os.replace(a.out + ".tmp.npy", a.out)


if __name__ == "__main__":
    main()
