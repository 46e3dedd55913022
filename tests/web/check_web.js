// Drives `gan serve`'s page (web/) in Debian's chromium through playwright-core, for scripts/check_web.sh.
//
//   node tests/web/check_web.js --url http://127.0.0.1:PORT/ --gan build/gan --run RUN --work DIR
//        --z z.npy [--labels labels.npy] --expect sample.npy [--screenshot docs/img/web_page.png]
//
// Checks: the page loads with no console error, failed request or uncaught exception (and the load time,
// navigation to the first grid drawn); "New samples" changes the canvas; the walk slider changes its
// image; window.ganDraw on the latents of `gan sample --save-z` paints the pixels of `gan sample --z`
// (--expect) within 1 grey level; for a conditional model, the digit 7 button draws 60 sevens whose
// latents, given to `gan sample --z --labels`, give the canvas's pixels within 1 level again; on a
// phone-sized screen (390 x 844) nothing is wider than the screen. Then raw requests that try to leave
// the allow-list or are malformed must get 4xx, and the server must still answer afterwards.
// Prints one JSON line of figures; exits 1 on the first failed check.
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const { execFileSync } = require('child_process');
const { chromium } = require(path.join(__dirname, '../../web/node_modules/playwright-core'));

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const fail = (msg) => { console.error(`check_web.js: FAILED: ${msg}`); process.exit(1); };

// ---- .npy, little-endian, C order -------------------------------------------------------------------
function readNpy(file) {
  const b = fs.readFileSync(file);
  const hlen = b.readUInt8(6) === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const off = b.readUInt8(6) === 1 ? 10 + hlen : 12 + hlen;
  const header = b.toString('latin1', off - hlen, off);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').filter((s) => s.trim()).map(Number);
  const body = b.subarray(off);
  const ab = body.buffer.slice(body.byteOffset, body.byteOffset + body.length);
  const data = { '<f4': () => new Float32Array(ab), '|u1': () => new Uint8Array(ab), '<u1': () => new Uint8Array(ab),
                 '<i8': () => Array.from(new BigInt64Array(ab), Number), '<i4': () => Array.from(new Int32Array(ab)),
                 '|i1': () => Array.from(new Int8Array(ab)), '<i2': () => Array.from(new Int16Array(ab)) }[descr];
  if (!data) fail(`${file}: dtype ${descr} not handled`);
  return { shape, data: data() };
}
function writeNpy(file, typed, descr, shape) {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((header.length + 10) % 64)) + '\n';  // 64-byte aligned, ends with \n
  const pre = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(pre);
  pre.writeUInt8(1, 6); pre.writeUInt8(0, 7); pre.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(typed.buffer)]));
}
// gan sample's pixels in the page's layout (N, C, H, W): colour .npy files are (N, H, W, 3).
function planar(npy) {
  if (npy.shape.length !== 4) return npy.data;
  const [n, h, w, c] = npy.shape, out = new Uint8Array(npy.data.length);
  for (let k = 0; k < n; k++)
    for (let p = 0; p < h * w; p++)
      for (let ch = 0; ch < c; ch++) out[(k * c + ch) * h * w + p] = npy.data[(k * h * w + p) * c + ch];
  return out;
}
function maxDiff(a, b, what) {
  if (a.length !== b.length) fail(`${what}: ${a.length} pixels on the page, ${b.length} from gan sample`);
  let max = 0, differing = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > 0) differing++;
    if (d > max) max = d;
  }
  return { max, differing, pixels: a.length };
}

// ---- raw HTTP ---------------------------------------------------------------------------------------
const { hostname, port } = new URL(args.url);
function raw(request, timeoutMs = 15000) {
  return new Promise((resolve) => {
    const s = net.connect(Number(port), hostname);
    let out = '';
    s.setTimeout(timeoutMs, () => { s.destroy(); resolve(out || 'timeout'); });
    s.on('data', (d) => { out += d.toString('latin1'); });
    s.on('error', (e) => resolve(out || `error ${e.code}`));
    s.on('close', () => resolve(out));
    s.on('connect', () => s.end(request));
  });
}
const statusOf = (response) => Number((/^HTTP\/1\.1 (\d{3})/.exec(response) || [])[1] || 0);

async function traversal() {
  const cases = [
    ['/../config.json', 'GET /../config.json HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['/%2e%2e/etc/passwd', 'GET /%2e%2e/etc/passwd HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['/%2E%2E/%2E%2E/etc/passwd', 'GET /%2E%2E/%2E%2E/etc/passwd HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['//etc/passwd', 'GET //etc/passwd HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['/web/..%2f..%2f', 'GET /web/..%2f..%2f HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['/run/..%2fconfig.json', 'GET /run/..%2fconfig.json HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['/etc/passwd', 'GET /etc/passwd HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['/run/generator.safetensors', 'GET /run/generator.safetensors HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['/ort/package.json', 'GET /ort/package.json HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['/..\\..\\etc\\passwd', 'GET /..\\..\\etc\\passwd HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['absolute path', 'GET /etc/passwd%00.html HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['absolute URI', 'GET http://127.0.0.1/../../etc/passwd HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['overlong request line', `GET /${'a'.repeat(200000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`],
    ['overlong header', `GET / HTTP/1.1\r\nX-A: ${'a'.repeat(200000)}\r\n\r\n`],
    ['malformed', 'this is not http\r\n\r\n'],
    ['binary', '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n'],
    ['POST', 'POST /index.html HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello'],
    ['HTTP/9', 'GET / HTTP/9.9\r\n\r\n'],
    ['cut short', 'GET / HTTP/1.1\r\nHost: localhost\r\n'],
    // A page of another site whose DNS name now points at 127.0.0.1 sends that name: refused (403).
    ['DNS rebinding', 'GET /run/config.json HTTP/1.1\r\nHost: evil.example:80\r\n\r\n'],
  ];
  const results = {};
  for (const [name, req] of cases) {
    const st = statusOf(await raw(req));
    results[name] = st;
    // An unknown HTTP version is 505 (RFC 9110 15.6.6); everything else here is the client's fault: 4xx.
    if (name === 'DNS rebinding' && st !== 403) fail(`request with Host: evil.example: HTTP ${st || 'no answer'}, expected 403`);
    if (!(st >= 400 && st < 500) && !(name === 'HTTP/9' && st === 505)) fail(`traversal/malformed request ${name}: HTTP ${st || 'no answer'}, expected 4xx`);
  }
  // Many connections at once that send nothing, then a real request: still answered.
  const idle = Array.from({ length: 20 }, () => net.connect(Number(port), hostname).on('error', () => {}));
  const st = statusOf(await raw('GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n'));
  idle.forEach((s) => s.destroy());
  if (st !== 200) fail(`after the bad requests, GET /index.html gave HTTP ${st}`);
  return results;
}

// ---- the page ---------------------------------------------------------------------------------------
function watch(page, errors) {
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
}
const gridHash = (page) => page.evaluate(() => window.ganPixels().join(','));
const waitDraws = (page, n) => page.waitForFunction((k) => Number(document.getElementById('grid').dataset.draws) >= k, n);

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--no-first-run'],
  });
  const out = {};
  try {
    const errors = [];
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    watch(page, errors);
    // Nothing may come from outside gan serve.
    await page.route('**/*', (route) => (route.request().url().startsWith(args.url) || route.request().url().startsWith('data:')
      ? route.continue() : (errors.push(`outside request: ${route.request().url()}`), route.abort())));
    const t0 = Date.now();
    await page.goto(args.url);
    await page.evaluate(() => window.ganReady);
    out.load_ms = Date.now() - t0;
    const info = await page.evaluate(() => window.ganState().info);
    out.model = `${info.arch}${info.conditional ? ' conditional' : ''}`;

    // "New samples" draws other images.
    const before = await gridHash(page);
    await page.click('#new');
    await waitDraws(page, 2);
    if ((await gridHash(page)) === before) fail('the canvas did not change after "New samples"');

    // The walk: the image at t = 1 differs from the one at t = 0.
    const walk0 = await page.evaluate(() => document.getElementById('walk').toDataURL());
    await page.locator('#t').fill('100');
    await page.waitForFunction(() => document.getElementById('walk').dataset.t === '1');
    if ((await page.evaluate(() => document.getElementById('walk').toDataURL())) === walk0)
      fail('the walk image did not change with the slider');

    // Given latents: the canvas against gan sample --z.
    const z = readNpy(args.z);
    const labels = args.labels ? readNpy(args.labels).data : null;
    const zRows = Array.from({ length: z.shape[0] }, (_, i) => Array.from(z.data.subarray(i * z.shape[1], (i + 1) * z.shape[1])));
    await page.evaluate(([zz, ll]) => window.ganDraw(zz, ll), [zRows, labels]);
    const expect = readNpy(args.expect);
    out.hook = maxDiff(await page.evaluate(() => window.ganPixels()), planar(expect), 'ganDraw');
    if (out.hook.max > 1) fail(`ganDraw: canvas and gan sample --z differ by ${out.hook.max} grey levels`);

    if (info.conditional) {
      // Digit 7: every label 7, and the page's images are gan sample's for the same latents.
      const draws = await page.evaluate(() => window.ganState().draws);
      await page.click('button[data-digit="7"]');
      await waitDraws(page, draws + 1);
      const st = await page.evaluate(() => window.ganState());
      if (!st.labels.every((l) => l === 7)) fail(`digit 7 drew labels ${st.labels}`);
      const zf = path.join(args.work, 'page7.z.npy'), lf = path.join(args.work, 'page7.labels.npy');
      const sf = path.join(args.work, 'page7.sample.npy');
      writeNpy(zf, Float32Array.from(st.z), '<f4', [st.n, info.z_dim]);
      writeNpy(lf, BigInt64Array.from(st.labels, BigInt), '<i8', [st.n]);
      execFileSync(args.gan, ['sample', '--checkpoint', args.run, '--z', zf, '--labels', lf, '--out', sf], { stdio: 'ignore' });
      const pixels = await page.evaluate(() => window.ganPixels());
      out.digit7 = maxDiff(pixels, readNpy(sf).data, 'digit 7');
      if (out.digit7.max > 1) fail(`digit 7: canvas and gan sample differ by ${out.digit7.max} grey levels`);
      // Four more draws with 7 still picked: the page's sevens for the classifier (5 grids), so that its
      // share of sevens is measured on a few hundred images rather than one grid.
      const sevens = [...pixels];
      for (let k = 0; k < 4; ++k) {
        const d = await page.evaluate(() => window.ganState().draws);
        await page.click('#new');
        await waitDraws(page, d + 1);
        const more = await page.evaluate(() => window.ganState());
        if (!more.labels.every((l) => l === 7)) fail(`"New samples" after digit 7 drew labels ${more.labels}`);
        sevens.push(...(await page.evaluate(() => window.ganPixels())));
      }
      writeNpy(path.join(args.work, 'page7.npy'), Uint8Array.from(sevens), '|u1', [5 * st.n, 28, 28]);
    }

    if (args.screenshot) {
      const d = await page.evaluate(() => window.ganState().draws);
      await page.click('#new');
      await waitDraws(page, d + 1);
      await page.locator('#t').fill('50');
      await page.waitForFunction(() => document.getElementById('walk').dataset.t === '0.5');
      await page.evaluate(() => Promise.all([...document.images].filter((i) => i.src).map((i) => i.decode())));
      await page.screenshot({ path: args.screenshot, fullPage: true });
    }
    await page.close();

    // A phone: the page fits the screen's width.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    watch(phone, errors);
    await phone.goto(args.url);
    await phone.evaluate(() => window.ganReady);
    const widths = await phone.evaluate(() => ({ doc: document.documentElement.scrollWidth, screen: window.innerWidth,
                                                   canvas: document.getElementById('grid').getBoundingClientRect().width }));
    if (widths.doc > widths.screen || widths.canvas > widths.screen)
      fail(`phone: the page is ${widths.doc} px wide, the canvas ${widths.canvas}, the screen ${widths.screen}`);
    out.phone = widths;
    if (args.screenshot) await phone.screenshot({ path: args.screenshot.replace(/\.png$/, '_phone.png') });
    await phone.close();
    if (errors.length) fail(`errors on the page:\n  ${errors.join('\n  ')}`);
  } finally {
    await browser.close();
  }
  out.traversal = await traversal();
  console.log(JSON.stringify(out));
}

main().catch((e) => fail(e.stack || String(e)));
