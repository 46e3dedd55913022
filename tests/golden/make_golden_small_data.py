"""Writes tests/golden/small_data_golden.h: PyTorch reference values for spectral normalisation and the
differentiable augmentation (tests/small_data_parity_test.cpp).

Run by hand (never by the tests), with Debian's python3-torch, through tests/golden/regenerate.sh.
Every input is stored in the header with all its values (each tensor has at most 400), so the C++ test
reads its inputs from the header instead of recomputing them; they are torch draws from a fixed seed.
(The augmentation's tensors have 576 values and are stored whole too.)

Spectral norm: torch.nn.utils.spectral_norm on a Linear (7 -> 5), a Conv2d (3 -> 4, k3, p1) and a
ConvTranspose2d (3 -> 4, k4, s2, p1; its dim 1), with weight_orig, weight_u and weight_v set from the
header. A training-mode forward (one power iteration), L = Σ y ⊙ r and its backward (the gradients at
weight_orig and x), u and v after that forward, the output of a second training-mode forward, u after
it, and an evaluation-mode forward (which leaves u and v as they are).

Augmentation: DiffAugment's operations (Zhao et al. 2020) written out here with their random draws
replaced by given per-image values: colour (brightness b, saturation s, contrast k), translation by
(tx, ty) pixels with zero padding (its gather on a padded copy), and cutout of a half-side square at
DiffAugment's offsets (ox, oy); for 3 images of 3 x 8 x 8 the output and the gradient at the input of
L = Σ y ⊙ r, each operation alone and all three in DiffAugment's order.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from make_golden_dcgan import emit


def sn_case(name, module, x_shape, gen):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
    module = nn.utils.spectral_norm(module)
    h, w = module.weight_u.numel(), module.weight_v.numel()
    with torch.no_grad():
        module.weight_u.copy_(F.normalize(torch.randn(h, generator=gen), dim=0))
        module.weight_v.copy_(F.normalize(torch.randn(w, generator=gen), dim=0))
    x = torch.randn(x_shape, generator=gen).requires_grad_(True)
    inputs = [("weight_orig", module.weight_orig.clone()), ("u0", module.weight_u.clone()),
              ("v0", module.weight_v.clone()), ("x", x.detach().clone())]
    if getattr(module, "bias", None) is not None:
        inputs.append(("bias", module.bias.detach().clone()))
    module.train()
    y = module(x)
    r = torch.randn(y.shape, generator=gen)
    (y * r).sum().backward()
    out = [("r", r), ("y", y), ("dweight_orig", module.weight_orig.grad), ("dx", x.grad),
           ("u1", module.weight_u.clone()), ("v1", module.weight_v.clone())]
    with torch.no_grad():
        y2 = module(x)
        out += [("y2", y2), ("u2", module.weight_u.clone())]
        module.eval()
        out += [("y_eval", module(x)), ("u_eval", module.weight_u.clone())]
    emit(f"sn_{name}", inputs + out)


def brightness(x, b):
    return x + b.view(-1, 1, 1, 1)


def saturation(x, s):
    m = x.mean(dim=1, keepdim=True)
    return (x - m) * s.view(-1, 1, 1, 1) + m


def contrast(x, k):
    m = x.mean(dim=[1, 2, 3], keepdim=True)
    return (x - m) * k.view(-1, 1, 1, 1) + m


def translation(x, tx, ty):
    n, _, h, w = x.shape
    gb, gx, gy = torch.meshgrid(torch.arange(n), torch.arange(h), torch.arange(w), indexing="ij")
    gx = torch.clamp(gx + tx.view(-1, 1, 1) + 1, 0, h + 1)
    gy = torch.clamp(gy + ty.view(-1, 1, 1) + 1, 0, w + 1)
    pad = F.pad(x, [1, 1, 1, 1, 0, 0, 0, 0])
    return pad.permute(0, 2, 3, 1).contiguous()[gb, gx, gy].permute(0, 3, 1, 2)


def cutout(x, ox, oy):
    n, _, h, w = x.shape
    sh, sw = int(h * 0.5 + 0.5), int(w * 0.5 + 0.5)
    gb, gx, gy = torch.meshgrid(torch.arange(n), torch.arange(sh), torch.arange(sw), indexing="ij")
    gx = torch.clamp(gx + ox.view(-1, 1, 1) - sh // 2, min=0, max=h - 1)
    gy = torch.clamp(gy + oy.view(-1, 1, 1) - sw // 2, min=0, max=w - 1)
    mask = torch.ones(n, h, w, dtype=x.dtype)
    mask[gb, gx, gy] = 0
    return x * mask.unsqueeze(1)


def augment_cases(gen):
    n, c, h, w = 3, 3, 8, 8
    x = torch.rand(n, c, h, w, generator=gen) * 2 - 1
    b = torch.rand(n, generator=gen) - 0.5
    s = torch.rand(n, generator=gen) * 2
    k = torch.rand(n, generator=gen) + 0.5
    shift = int(h * 0.125 + 0.5)
    tx = torch.tensor([-shift, 0, shift])  # the extremes and none
    ty = torch.tensor([1, -shift, shift - 1])
    ox = torch.tensor([0, 3, h])  # a box clipped at the top, inside, clipped at the bottom
    oy = torch.tensor([h, 0, 5])
    params = torch.stack([b, s, k, tx.float(), ty.float(), ox.float(), oy.float()], dim=1)
    r = torch.randn(n, c, h, w, generator=gen)
    cases = {
        "colour": lambda t: contrast(saturation(brightness(t, b), s), k),
        "translation": lambda t: translation(t, tx, ty),
        "cutout": lambda t: cutout(t, ox, oy),
        "all": lambda t: cutout(translation(contrast(saturation(brightness(t, b), s), k), tx, ty), ox, oy),
    }
    out = [("x", x), ("params", params), ("r", r)]
    for name, fn in cases.items():
        xx = x.clone().requires_grad_(True)
        y = fn(xx)
        (y * r).sum().backward()
        out += [(f"y_{name}", y), (f"dx_{name}", xx.grad)]
    emit("augment", out, full=True)


def main():
    torch.set_num_threads(1)
    print("// @generated by tests/golden/make_golden_small_data.py (torch " + torch.__version__ + "). Do not edit.")
    print("#pragma once")
    print("#include <vector>\n")
    print('#include "golden/golden_tensor.h"\n')
    gen = torch.Generator().manual_seed(33)
    sn_case("linear", nn.Linear(7, 5), (3, 7), gen)
    sn_case("conv", nn.Conv2d(3, 4, 3, padding=1, bias=False), (2, 3, 4, 4), gen)
    sn_case("convt", nn.ConvTranspose2d(3, 4, 4, stride=2, padding=1, bias=False), (2, 3, 3, 3), gen)
    augment_cases(gen)


if __name__ == "__main__":
    main()
