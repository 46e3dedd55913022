"""Writes the coloured, labelled digit folders of docs/small_data.md: MNIST training digits, each drawn in
a colour of its own on a dark background of its own, padded to 32x32, as PNG files under one subfolder
per digit (0/ ... 9/), the layout `gan train --data` and `gan eval --data` read (torchvision's ImageFolder).

    /usr/bin/python3 scripts/small_data/make_folder.py MNIST_DIR OUT_DIR N [N ...]

writes OUT_DIR/full (the first 10,000 digits: the set the small folders come from and are evaluated
against) and OUT_DIR/nN for each N (its first N digits). The colours are a function of the digit's
index alone: foreground hue uniform, saturation in [0.6, 1], value in [0.75, 1]; background a hue of
its own at value [0, 0.3]. Needs numpy and PIL (Debian's python3-numpy, python3-pil).
"""
import colorsys
import os
import random
import sys

import numpy as np
from PIL import Image

FULL = 10000


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def coloured(digit, index):
    r = random.Random(index * 7919 + 1)
    fg = np.array(colorsys.hsv_to_rgb(r.random(), r.uniform(0.6, 1.0), r.uniform(0.75, 1.0)))
    bg = np.array(colorsys.hsv_to_rgb(r.random(), r.uniform(0.3, 1.0), r.uniform(0.0, 0.3)))
    g = np.pad(digit.astype(np.float64) / 255.0, 2)[..., None]
    return np.clip(np.rint((bg * (1 - g) + fg * g) * 255), 0, 255).astype(np.uint8)


def write(out, images, labels, n):
    for i in range(n):
        d = os.path.join(out, str(int(labels[i])))
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, f"{i:05d}.png")
        Image.fromarray(coloured(images[i], i)).save(path + ".tmp", format="PNG")
        os.replace(path + ".tmp", path)


def main():
    mnist, out, sizes = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3:]]
    images = read_idx(os.path.join(mnist, "train-images-idx3-ubyte"))
    labels = read_idx(os.path.join(mnist, "train-labels-idx1-ubyte"))
    write(os.path.join(out, "full"), images, labels, FULL)
    for n in sizes:
        write(os.path.join(out, f"n{n}"), images, labels, n)


if __name__ == "__main__":
    main()
