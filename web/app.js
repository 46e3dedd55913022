// gan serve's page: runs the run's generator (/run/G.onnx, `gan export`'s ONNX model) with
// onnxruntime-web's wasm backend and draws a grid of samples on a canvas. Latents come from the model's
// distribution (U(-1, 1) or N(0, 1), /run/model.json), drawn here in JavaScript. Pixels are
// round((x + 1) * 127.5), as `gan sample` writes them, one canvas pixel per image pixel (CSS scales).
//
// Test hooks (scripts/check_web.sh): window.ganReady (a Promise, resolved after the first grid),
// window.ganDraw(z, labels) draws the given latents (z: N arrays of z_dim numbers or one flat array;
// labels: N integers, conditional models), window.ganPixels() reads the grid canvas back as the
// images' N*C*H*W bytes, window.ganState() gives the latents and labels of the grid on show.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const S = { info: null, session: null, z: null, labels: null, n: 0, cols: 0, digit: null, walkA: null, walkB: null,
              walkLabel: 0, draws: 0, busy: Promise.resolve() };

  // One latent value from the model's distribution.
  function draw1() {
    if (S.info.latent === 'normal') {  // Box-Muller; 1 - random() is in (0, 1], so log() is finite
      return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
    }
    return Math.random() * 2 - 1;
  }
  function latents(n) {
    const z = new Float32Array(n * S.info.z_dim);
    for (let i = 0; i < z.length; i++) z[i] = draw1();
    return z;
  }

  // Runs G on n latents (and labels); resolves to the images, float32 (n, C, H, W) in [-1, 1].
  async function generate(z, labels, n) {
    const feeds = { z: new ort.Tensor('float32', z, [n, S.info.z_dim]) };
    if (S.info.conditional) feeds.label = new ort.Tensor('int64', BigInt64Array.from(labels, (v) => BigInt(v)), [n]);
    const out = await S.session.run(feeds);
    return out.images.data;
  }

  // round((x + 1) * 127.5) in float32, ties to even, clamped: what gan sample computes (std::nearbyint).
  function toByte(x) {
    const v = Math.fround(Math.fround(x + 1) * 127.5);
    if (!(v > 0)) return 0;  // NaN too
    let r = Math.round(v);
    if (r - v === 0.5 && r % 2 !== 0) r -= 1;
    return Math.min(255, r);
  }

  // Paints n images in a grid of cols columns, one canvas pixel per image pixel.
  function paint(canvas, images, n, cols) {
    const [C, H, W] = S.info.image_shape;
    const rows = Math.ceil(n / cols);
    canvas.width = cols * W;
    canvas.height = rows * H;
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(canvas.width, canvas.height);
    for (let i = 0; i < img.data.length; i += 4) img.data[i + 3] = 255;  // opaque black between images
    for (let k = 0; k < n; k++) {
      const x0 = (k % cols) * W, y0 = Math.floor(k / cols) * H;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const o = ((y0 + y) * canvas.width + x0 + x) * 4;
          for (let c = 0; c < 3; c++) {
            img.data[o + c] = toByte(images[((k * C + Math.min(c, C - 1)) * H + y) * W + x]);
          }
        }
      }
    }
    ctx.putImageData(img, 0, 0);
  }

  // Runs one drawing job after the previous one (clicks during a draw queue up, never overlap).
  function serial(job) {
    S.busy = S.busy.then(job, job);
    return S.busy;
  }

  async function showGrid(z, labels, n, cols) {
    const t0 = performance.now();
    const images = await generate(z, labels, n);
    paint($('grid'), images, n, cols);
    Object.assign(S, { z, labels, n, cols });
    S.draws++;
    $('grid').dataset.draws = String(S.draws);
    $('status').textContent = `${n} images in ${Math.round(performance.now() - t0)} ms`;
  }

  // A fresh grid: 8 x 8, or for a conditional model 10 columns of 6 (one digit per column) or 60 of the
  // chosen digit; and fresh ends for the walk.
  function fresh() {
    return serial(async () => {
      const cond = S.info.conditional;
      const n = cond ? 60 : 64, cols = cond ? 10 : 8;
      const labels = cond ? Array.from({ length: n }, (_, i) => (S.digit === null ? i % cols : S.digit)) : null;
      await showGrid(latents(n), labels, n, cols);
      S.walkA = latents(1);
      S.walkB = latents(1);
      S.walkLabel = S.digit === null ? Math.floor(Math.random() * S.info.num_classes) : S.digit;
      await walk();
    });
  }

  // The image at (1 - t) * a + t * b, t from the slider.
  async function walk() {
    const t = Number($('t').value) / 100;
    const z = S.walkA.map((a, i) => (1 - t) * a + t * S.walkB[i]);
    paint($('walk'), await generate(z, [S.walkLabel], 1), 1, 1);
    $('walk').dataset.t = String(t);
  }

  function digitButtons() {
    const box = $('digits');
    const choices = [null, ...Array.from({ length: S.info.num_classes }, (_, d) => d)];
    for (const d of choices) {
      const b = document.createElement('button');
      b.type = 'button';
      // A conditional run stores its classes' names (an image folder's subfolders); older ones number them.
      const names = S.info.class_names || [];
      b.textContent = d === null ? 'all' : names.length === S.info.num_classes ? names[d] : String(d);
      b.dataset.digit = d === null ? 'all' : String(d);
      b.setAttribute('aria-pressed', String(d === S.digit));
      b.addEventListener('click', () => {
        S.digit = d;
        for (const o of box.children) o.setAttribute('aria-pressed', String(o === b));
        fresh();
      });
      box.appendChild(b);
    }
    box.hidden = false;
  }

  // The query names the epoch, so that a browser's cache never shows an older epoch's figure.
  function showRunFiles() {
    const files = S.info.files || {};
    const v = `?epoch=${S.info.epoch || ''}`;
    if (files['losses.svg']) { $('losses').src = `/run/losses.svg${v}`; $('losses-fig').hidden = false; }
    if (files['progress.gif']) { $('progress').src = `/run/progress.gif${v}`; $('progress-fig').hidden = false; }
  }

  function showInfo() {
    const [C, H, W] = S.info.image_shape;
    $('info').textContent = `${S.info.run}: ${S.info.arch}${S.info.conditional ? ' conditional' : ''} generator` +
      `${S.info.epoch ? `, epoch ${S.info.epoch}` : ''}; z ~ ${S.info.latent === 'normal' ? 'N(0, 1)' : 'U(-1, 1)'}` +
      ` (${S.info.z_dim}), images ${C}×${H}×${W}`;
  }

  // A run that is training gets a new generator after each epoch (gan serve exports the newest one):
  // look every 10 s and, when the epoch changed, load it and redraw the same latents with it.
  async function watch() {
    try {
      const res = await fetch('/run/model.json', { cache: 'no-store' });
      if (!res.ok) return;
      const info = await res.json();
      if (info.epoch === S.info.epoch) return;
      await serial(async () => {
        S.session = await ort.InferenceSession.create(`/run/G.onnx?epoch=${info.epoch}`, { executionProviders: ['wasm'] });
        S.info = info;
        showInfo();
        showRunFiles();
      });
      if (S.z) await serial(() => showGrid(S.z, S.labels, S.n, S.cols));
    } catch (e) {
      // The server may be restarting or the run between files: look again next time.
    }
  }

  async function main() {
    ort.env.wasm.numThreads = 1;    // no SharedArrayBuffer needed (no cross-origin isolation headers)
    ort.env.wasm.wasmPaths = '/ort/';  // served by gan serve: nothing comes from the internet
    const res = await fetch('/run/model.json');
    if (!res.ok) throw new Error(`/run/model.json: HTTP ${res.status}`);
    S.info = await res.json();
    S.session = await ort.InferenceSession.create('/run/G.onnx', { executionProviders: ['wasm'] });
    showInfo();
    showRunFiles();
    if (S.info.conditional) digitButtons();
    $('new').addEventListener('click', fresh);
    $('t').addEventListener('input', () => serial(walk));
    await fresh();
    $('new').disabled = false;
    $('t').disabled = false;
    setInterval(watch, 10000);
  }

  window.ganDraw = (z, labels) => serial(async () => {
    const flat = Float32Array.from(Array.isArray(z) && Array.isArray(z[0]) ? z.flat() : z);
    const n = flat.length / S.info.z_dim;
    if (!Number.isInteger(n) || n < 1) throw new Error(`ganDraw: ${flat.length} values are not N x ${S.info.z_dim}`);
    if (S.info.conditional && (!labels || labels.length !== n)) throw new Error(`ganDraw: needs ${n} labels`);
    await showGrid(flat, S.info.conditional ? Array.from(labels) : null, n, S.info.conditional ? 10 : 8);
    return { n, cols: S.cols, width: $('grid').width, height: $('grid').height };
  });
  window.ganPixels = () => {
    const [C, H, W] = S.info.image_shape;
    const canvas = $('grid');
    const rgba = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const out = new Array(S.n * C * H * W);
    for (let k = 0; k < S.n; k++) {
      const x0 = (k % S.cols) * W, y0 = Math.floor(k / S.cols) * H;
      for (let c = 0; c < C; c++)
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) out[((k * C + c) * H + y) * W + x] = rgba[((y0 + y) * canvas.width + x0 + x) * 4 + c];
    }
    return out;
  };
  window.ganState = () => ({ z: Array.from(S.z), labels: S.labels, n: S.n, cols: S.cols, draws: S.draws,
                             digit: S.digit, info: S.info });
  window.ganReady = main().catch((e) => {
    $('info').textContent = `error: ${e.message}`;
    console.error(e);
    throw e;
  });
})();
