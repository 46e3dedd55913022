#!/usr/bin/env python3
"""Builds tests/data/mnist-mini/ from the real MNIST files. Run by hand (not by the build):

    python3 tests/data/make_mnist_mini.py /path/to/mnist   # folder with the four uncompressed
                                                          # *-ubyte files from the MNIST site

It keeps the first 1000 training and first 500 test images and labels, rewrites the IDX headers
with the new counts and gzips each file (mtime 0, so reruns give identical bytes).
"""
import gzip
import os
import struct
import sys

KEEP = {"train": 1000, "t10k": 500}


def cut(src, dst, keep):
    with open(src, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndims = magic & 0xFF
    assert magic >> 8 == 0x08, f"{src}: not an unsigned-byte IDX file"
    dims = list(struct.unpack(">" + "I" * ndims, data[4:4 + 4 * ndims]))
    assert dims[0] >= keep, f"{src}: only {dims[0]} items"
    item = 1
    for d in dims[1:]:
        item *= d
    body = data[4 + 4 * ndims:4 + 4 * ndims + keep * item]
    dims[0] = keep
    out = struct.pack(">I", magic) + struct.pack(">" + "I" * ndims, *dims) + body
    with open(dst, "wb") as f:
        f.write(gzip.compress(out, compresslevel=9, mtime=0))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    src_dir = sys.argv[1]
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mnist-mini")
    os.makedirs(out_dir, exist_ok=True)
    for split, keep in KEEP.items():
        for kind in ("images-idx3", "labels-idx1"):
            name = f"{split}-{kind}-ubyte"
            cut(os.path.join(src_dir, name), os.path.join(out_dir, name + ".gz"), keep)
            print(f"wrote {os.path.join(out_dir, name + '.gz')}")


if __name__ == "__main__":
    main()
