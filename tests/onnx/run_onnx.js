#!/usr/bin/env node
// Runs a generator exported by `gan export` in ONNX Runtime (onnxruntime-node, CPU) and compares its
// images with what `gan sample` drew for the same latents (scripts/check_onnx.sh).
//
//   node run_onnx.js --model G.onnx --z z.npy [--labels labels.npy] --expect pixels.npy [--max-diff 1]
//
// z.npy: float32 (N, z_dim); labels.npy: integer (N,) for conditional models; pixels.npy: gan sample's
// uint8 (N, H, W). ORT's float images (N, C, H, W) become round((x + 1) * 127.5), clamped to [0, 255],
// as gan sample's. Checks the model's declared interface and metadata, runs the whole batch and a
// smaller one (the batch axis must be dynamic), and prints one JSON line:
//   {"model": ..., "images": N, "max_diff": d, "pixels_differing": k, "pixels": total}
// Exits 1 when max_diff is above --max-diff (default 1 grey level) or anything does not match.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function fail(msg) {
  process.stderr.write(`run_onnx.js: ${msg}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const a = { maxDiff: 1 };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i], v = argv[i + 1];
    if (v === undefined) fail(`${k} needs a value`);
    if (k === '--model') a.model = v;
    else if (k === '--z') a.z = v;
    else if (k === '--labels') a.labels = v;
    else if (k === '--expect') a.expect = v;
    else if (k === '--max-diff') a.maxDiff = Number(v);
    else fail(`unknown option ${k}`);
  }
  if (!a.model || !a.z || !a.expect) fail('usage: --model G.onnx --z z.npy [--labels l.npy] --expect pixels.npy');
  return a;
}

// A .npy file (versions 1-3, C order) of the dtypes gan.cpp writes or numpy writes for labels.
function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') fail(`${file}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shape || /'fortran_order':\s*True/.test(header)) fail(`${file}: unsupported .npy header ${header}`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const count = dims.reduce((p, d) => p * d, 1);
  const data = buf.subarray(start);
  const view = (T, size) => {
    if (data.length !== count * size) fail(`${file}: ${data.length} data bytes for shape (${dims})`);
    const out = new T(count);
    new Uint8Array(out.buffer).set(data);
    return out;
  };
  switch (descr[1]) {
    case '<f4': return { dims, data: view(Float32Array, 4) };
    case '|u1': case '<u1': return { dims, data: view(Uint8Array, 1) };
    case '<i8': return { dims, data: view(BigInt64Array, 8) };
    case '<i4': return { dims, data: BigInt64Array.from(view(Int32Array, 4), (x) => BigInt(x)) };
    default: fail(`${file}: dtype ${descr[1]} not handled`);
  }
}

function toPixel(x) {
  // std::nearbyint under the default rounding mode: halves to even, as gan sample's to_pixels.
  let v = Math.fround(Math.fround(x + 1) * 127.5);  // in float32, as (y + 1.0f) * 127.5f
  const r = Math.round(v);
  v = Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : r;
  return Number.isNaN(v) ? 0 : Math.min(255, Math.max(0, v));
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const session = await ort.InferenceSession.create(a.model, { executionProviders: ['cpu'] });
  const z = readNpy(a.z);
  if (z.dims.length !== 2 || !(z.data instanceof Float32Array)) fail(`${a.z}: latents must be float32 (N, z_dim)`);
  const [n, zDim] = z.dims;
  const conditional = session.inputNames.includes('label');
  const want = conditional ? ['z', 'label'] : ['z'];
  if (JSON.stringify(session.inputNames) !== JSON.stringify(want)) fail(`inputs are ${session.inputNames}, expected ${want}`);
  if (JSON.stringify(session.outputNames) !== '["images"]') fail(`outputs are ${session.outputNames}, expected images`);
  let labels = null;
  if (conditional) {
    if (!a.labels) fail(`${a.model} is conditional: give --labels`);
    labels = readNpy(a.labels);
    if (labels.dims.length !== 1 || labels.dims[0] !== n || !(labels.data instanceof BigInt64Array)) fail(`${a.labels}: labels must be integers (${n},)`);
  }
  const expect = readNpy(a.expect);
  if (expect.dims[0] !== n || !(expect.data instanceof Uint8Array)) fail(`${a.expect}: expected uint8 pixels of ${n} images`);

  const run = async (count) => {
    const feeds = { z: new ort.Tensor('float32', z.data.subarray(0, count * zDim), [count, zDim]) };
    if (conditional) feeds.label = new ort.Tensor('int64', labels.data.subarray(0, count), [count]);
    return (await session.run(feeds)).images;
  };
  const images = await run(n);
  const perImage = expect.data.length / n;
  if (images.dims.length !== 4 || images.dims[0] !== n || images.dims[1] * images.dims[2] * images.dims[3] !== perImage)
    fail(`images are (${images.dims}); gan sample wrote ${perImage} pixels per image`);
  let maxDiff = 0, differing = 0, outOfRange = 0;
  for (let i = 0; i < images.data.length; ++i) {
    const x = images.data[i];
    if (!(x >= -1 && x <= 1)) ++outOfRange;
    const d = Math.abs(toPixel(x) - expect.data[i]);
    if (d) ++differing;
    if (d > maxDiff) maxDiff = d;
  }
  // The batch axis is dynamic: a smaller batch gives the same first images.
  const few = Math.max(1, Math.min(3, n - 1));
  const small = await run(few);
  if (small.dims[0] !== few) fail(`a batch of ${few} gave ${small.dims[0]} images`);
  let batchDiff = 0;
  for (let i = 0; i < small.data.length; ++i) batchDiff = Math.max(batchDiff, Math.abs(small.data[i] - images.data[i]));

  console.log(JSON.stringify({ model: path.basename(a.model), images: n, image_shape: images.dims.slice(1),
    max_diff: maxDiff, pixels_differing: differing, pixels: images.data.length, out_of_range: outOfRange,
    small_batch_max_abs_diff: batchDiff }));
  if (outOfRange) fail(`${outOfRange} values outside [-1, 1]`);
  if (batchDiff > 1e-5) fail(`a batch of ${few} differs from the first ${few} of ${n} by ${batchDiff}`);
  if (maxDiff > a.maxDiff) fail(`max pixel difference ${maxDiff} > ${a.maxDiff} grey levels`);
}

main().catch((e) => fail(e && e.message ? e.message : String(e)));
