"""Writes tests/golden/example_dcgan_golden.h and tests/data/example_netG_32.safetensors: PyTorch
reference values for the DCGAN of PyTorch's examples/dcgan/main.py at 64x64 and 32x32, RGB.

Run by hand (never by the tests), with Debian's python3-torch, through tests/golden/regenerate.sh.
The networks and the training iteration are the example's (reference_models.py: ExampleGenerator,
ExampleDiscriminator, example_weights_init, example_step: Adam 2e-4, betas (0.5, 0.999), BCELoss on a
Sigmoid, real label 1, fake label 0, so gan.cpp's step runs with label smoothing 0).

Step cases (tests/example_dcgan_parity_test.cpp): nc 3, ngf = ndf = 8, nz 16, batch 4. ngf 8 keeps every
batch norm at 8 channels or more and the header small (big tensors are stored as sums and 32 samples);
nz 16 < 100 only shrinks the first layer; batch 4 gives each batch norm several samples per channel.
The example's weights_init is applied as it is, with its normal draws replaced by reproducible ones of
the same mean and standard deviation, which the C++ test computes too (torch's own random draws cannot
be), so no file of initial weights is needed:
  parameter p (state_dict order; D's from 50), element i, u(k) = ((k*7919 + 31*p) % 1001) / 1000:
      mean + std * (u(12i) + u(12i+1) + ... + u(12i+11) - 6)          (double, then float32)
  real image, flat index k:  u8 = (k*37 + 11) % 256, x = u8 / 255 * 2 - 1      (float32, as ToTensor
                             then Normalize(0.5, 0.5) gives a uint8 picture)
  noise, flat index k:       the draw above with p = 99, mean 0, std 1
Each case stores the initial weights, the batch, G(z), both losses, D(x) and D(G(z)), every gradient
(D's as its Adam step used them) and every weight and running statistic after the step.

The netG file: the example's Generator at 32x32 (nz 8, ngf 4, nc 3) with the example's weights_init
(torch's draws, seed 7), three training-mode forwards so its running statistics are not the initial
ones, then its state_dict written as safetensors (F32, and I64 num_batches_tracked, as
safetensors.torch.save_file writes it) by hand; the header keeps its eval-mode output for 2 latents.
"""
import json
import math
import os
import struct

import torch

from make_golden_dcgan import emit
from reference_models import ExampleDiscriminator, ExampleGenerator, example_step, example_weights_init


def normal_draws(p, shape, mean, std):
    n = math.prod(shape)
    vals = []
    for i in range(n):
        s = 0.0
        for j in range(12):
            s += ((12 * i + j) * 7919 + 31 * p) % 1001 / 1000.0
        vals.append(mean + std * (s - 6.0))
    return torch.tensor(vals, dtype=torch.float64).to(torch.float32).reshape(shape)


def init_reproducibly(module, first_p):
    index = {id(t): first_p + k for k, (_, t) in enumerate(module.named_parameters())}

    def normal_(t, mean, std):
        with torch.no_grad():
            t.copy_(normal_draws(index[id(t)], tuple(t.shape), mean, std))

    module.apply(lambda m: example_weights_init(m, normal_))


def image(shape):
    u8 = torch.tensor([(k * 37 + 11) % 256 for k in range(math.prod(shape))], dtype=torch.uint8)
    return (u8.to(torch.float32) / 255.0 * 2.0 - 1.0).reshape(shape)


def step_case(case, size, nz=16, ngf=8, ndf=8, nc=3, batch=4):
    netG, netD = ExampleGenerator(nz, ngf, nc, size), ExampleDiscriminator(ndf, nc, size)
    init_reproducibly(netG, 0)
    init_reproducibly(netD, 50)
    init = [("init.G." + n, t.detach().clone()) for n, t in netG.named_parameters()]
    init += [("init.D." + n, t.detach().clone()) for n, t in netD.named_parameters()]
    real = image((batch, nc, size, size))
    noise = normal_draws(99, (batch, nz, 1, 1), 0.0, 1.0)
    errD, errG, d_x, d_g_z1, fake, d_grads = example_step(netG, netD, real, noise)
    print(f"// ---- {case}: the example at {size}x{size}, nc {nc}, nz {nz}, ngf {ngf}, ndf {ndf}, batch {batch}")
    print(f"inline const ExampleStepGolden golden_{case}_step = {{{size}, {nz}, {ngf}, {ndf}, {nc}, {batch}, "
          f"{errD:.9g}, {errG:.9g}, {d_x:.9g}, {d_g_z1:.9g}}};")
    out = init + [("real", real), ("noise", noise), ("fake", fake)]
    out += [("grad.G." + n, t.grad) for n, t in netG.named_parameters()]
    out += [("grad.D." + n, g) for n, g in d_grads.items()]
    out += [("G." + n, t) for n, t in netG.state_dict().items() if "num_batches" not in n]
    out += [("D." + n, t) for n, t in netD.state_dict().items() if "num_batches" not in n]
    emit(case, out)


def safetensors_bytes(state):
    """The safetensors layout: u64 header length, JSON header (padded with spaces to 8 bytes), data."""
    header, blobs, offset = {}, [], 0
    for name, t in state.items():
        t = t.detach().contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        fmt = "<%d%s" % (t.numel(), "f" if dtype == "F32" else "q")
        blob = struct.pack(fmt, *t.reshape(-1).tolist())
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def netg_file(path, nz=8, ngf=4, nc=3, size=32):
    torch.manual_seed(7)
    netG = ExampleGenerator(nz, ngf, nc, size)
    netG.apply(example_weights_init)
    with torch.no_grad():
        for _ in range(3):
            netG(torch.randn(5, nz, 1, 1))
    netG.eval()
    z = normal_draws(98, (2, nz, 1, 1), 0.0, 1.0)
    with torch.no_grad():
        y = netG(z)
    with open(path, "wb") as f:
        f.write(safetensors_bytes(netG.state_dict()))
    print(f"// ---- tests/data/{os.path.basename(path)}: the example's netG at {size}x{size}, nz {nz}, ngf {ngf}, "
          f"nc {nc}; y = netG.eval()(z), z from the draws above with p = 98")
    emit("netg_file", [("z", z), ("y", y)])


def main():
    torch.set_num_threads(1)
    here = os.path.dirname(os.path.abspath(__file__))
    print("// @generated by tests/golden/make_golden_example.py from tests/golden/reference_models.py "
          f"(torch {torch.__version__}). Do not edit.")
    print('#pragma once\n#include "golden/golden_tensor.h"\n')
    print("// One iteration of the example: sizes, then errD, errG, D(x), D(G(z)) before D's update.")
    print("struct ExampleStepGolden { int size, nz, ngf, ndf, nc, batch; double err_d, err_g, d_x, d_g_z; };\n")
    step_case("example64", 64)
    step_case("example32", 32)
    netg_file(os.path.join(here, "..", "data", "example_netG_32.safetensors"))


if __name__ == "__main__":
    main()
