// What a browser fetches to run each page of the starter: Debian's Chromium (Playwright),
// JavaScript on, against a running server. For every page it records the .js and .wasm
// responses, and prints per page their gzip -9 size (the budget's measure, DESIGN.md section 12)
// and the bytes the server actually sent (with its Content-Encoding).
//
// Usage: node scripts/bench-pages.mjs <base url> <email> <password>
//   The user must exist and hold the admin role (scripts/bench registers one and grants it), so
//   the signed-in pages (account, protected, admin) render their own content.
// Prints one line per page and a last line `pages: max <KB> KB gzip` for the caller to read.
import { chromium } from '@playwright/test';
import { gzipSync } from 'node:zlib';

const [base, email, password] = process.argv.slice(2);
if (!base || !email || !password) {
  console.error('usage: node scripts/bench-pages.mjs <base url> <email> <password>');
  process.exit(2);
}

// [path, needs a session, budget in KB gzip (DESIGN.md section 12: 80 on the built-in auth
// pages, 130 on any page)]
const PAGES = [
  ['/', false, 130],
  ['/api/auth/signin', false, 80],
  ['/api/auth/signout', true, 80],
  ['/api/auth/error?error=Configuration', false, 80],
  ['/api/auth/verify-request', false, 80],
  ['/register', false, 130],
  ['/login', false, 130],
  ['/client-api', false, 130],
  ['/account', true, 130],
  ['/protected', true, 130],
  ['/admin', true, 130],
];

// What every page fetched before issue 13 (one fully hydrated app of 362.5 KB gzip on every
// page: README, "Performance", the run of 34478d8), printed beside today's figure.
const BEFORE_KB = 362.5;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});

async function signedInContext() {
  const context = await browser.newContext();
  const { csrfToken } = await (await context.request.get(`${base}/api/auth/csrf`)).json();
  const res = await context.request.post(`${base}/api/auth/callback/credentials`, {
    form: { csrfToken, email, password, callbackUrl: '/' },
    maxRedirects: 0,
  });
  const location = res.headers()['location'] ?? '';
  if (res.status() !== 302 || location.includes('error=')) {
    throw new Error(`signing in answered ${res.status()} ${location}`);
  }
  return context;
}

let max = 0;
let failed = false;
let over = [];
console.log(
  `${'page'.padEnd(40)} ${'files'.padStart(5)} ${'gzip -9'.padStart(10)} ${'before'.padStart(10)} ${'budget'.padStart(8)} ${'as sent'.padStart(10)}  encoding`,
);
for (const [path, needsSession, budget] of PAGES) {
  const context = needsSession ? await signedInContext() : await browser.newContext();
  const page = await context.newPage();
  const assets = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (/\.(js|wasm)$/.test(url.pathname)) assets.push(response);
  });
  const answer = await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 15_000 }).catch(() => {
    console.error(`${path}: the page did not hydrate`);
    failed = true;
  });
  let gzip = 0;
  let sent = 0;
  const encodings = new Set();
  for (const response of assets) {
    const body = await response.body();
    gzip += gzipSync(body, { level: 9 }).length;
    const sizes = await response.request().sizes();
    sent += sizes.responseBodySize;
    encodings.add(response.headers()['content-encoding'] ?? 'identity');
  }
  const landed = new URL(page.url()).pathname;
  const note = landed === path.split('?')[0] ? '' : `  (landed on ${landed})`;
  const kb = gzip / 1000;
  max = Math.max(max, kb);
  if (kb > budget) over.push(`${path} (${kb.toFixed(1)} KB > ${budget} KB)`);
  console.log(
    `${path.padEnd(40)} ${String(assets.length).padStart(5)} ${kb.toFixed(1).padStart(7)} KB ${BEFORE_KB.toFixed(1).padStart(7)} KB ${String(budget).padStart(5)} KB ${(sent / 1000).toFixed(1).padStart(7)} KB  ${[...encodings].join(',')} (HTTP ${answer?.status()})${note}`,
  );
  await context.close();
}
await browser.close();
if (over.length) console.log(`over budget: ${over.join(', ')}`);
console.log(`pages: max ${max.toFixed(1)} KB gzip`);
process.exit(failed ? 1 : 0);
