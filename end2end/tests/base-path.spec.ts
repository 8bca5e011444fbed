// The app under another base path (Auth.js's `basePath`, from AUTH_URL's path): a second server
// started here from the same debug build, on its own port and database, so that the browser's
// client, which reads the base path from the page, is tested with it. Registration, sign-out and
// sign-in go through the built-in pages under /auth/v1 (with JavaScript: without a full page
// load), an island's calls go there too, and nothing asks for /api/auth. JavaScript on and off.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { expectSignedIn, expectSignedOut, hydrated, jsEnabled, newUser, submitRegistration, submitSignIn } from '../fixtures/auth';

const BASE = '/auth/v1';
const ROOT = path.join(__dirname, '..', '..');

let server: ChildProcess | undefined;
let folder = '';
let origin = '';

/** A loopback port nobody listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

test.beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  folder = mkdtempSync(path.join(tmpdir(), 'leptos-auth-base-path-'));
  // The binary `cargo leptos end-to-end` built and serves on :3000, with the same site folder.
  server = spawn(path.join(ROOT, 'target', 'debug', 'server'), [], {
    cwd: ROOT,
    env: {
      ...process.env,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: 'target/site',
      AUTH_URL: `${origin}${BASE}`,
      DATABASE_URL: `sqlite://${folder}/app.db?mode=rwc`,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode})`);
    try {
      if ((await fetch(`${origin}${BASE}/csrf`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the server did not answer in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

test.afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  if (folder) rmSync(folder, { recursive: true, force: true });
});

async function open(page: Page, where: string): Promise<void> {
  await page.goto(`${origin}${where}`);
  await hydrated(page);
}

test('the built-in pages, the client and the session live under the configured base path', async ({ page }) => {
  const asked: string[] = [];
  page.on('request', (req) => asked.push(new URL(req.url()).pathname));
  const user = newUser('base-path');

  // The registration page (the starter's own route) signs the new user in.
  await open(page, '/register');
  await submitRegistration(page, user);
  await expectSignedIn(page, user);

  // Sign out from the nav: the client posts to <base>/signout.
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await expectSignedOut(page);

  // The nav's sign-in link and the guard both point under the base path.
  await open(page, '/protected');
  await expect(page).toHaveURL(`${origin}${BASE}/signin?callbackUrl=%2Fprotected`);
  if (jsEnabled()) {
    await page.evaluate(() => {
      (window as unknown as { __noReload: number }).__noReload = 1;
    });
  }
  await submitSignIn(page, user.email, user.password);
  await expect(page).toHaveURL(`${origin}/protected`);
  await expect(page.getByRole('heading', { name: 'Protected page' })).toBeVisible();
  await expectSignedIn(page, user);
  if (jsEnabled()) {
    // The page script signed in from the open page, through <base>/callback/credentials.
    expect(await page.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(1);
    expect(asked).toContain(`${BASE}/callback/credentials`);

    // An island (wasm) calls the auth routes under the base path too.
    await open(page, '/client-api');
    await expect(page.getByTestId('live')).toHaveText(`use_session(): Authenticated · ${user.name}`);
    const out = page.getByTestId('out');
    await page.getByRole('button', { name: 'get_session', exact: true }).click();
    await expect(out).toHaveAttribute('data-calls', '1');
    expect(JSON.parse((await out.textContent()) ?? 'null').user.email).toBe(user.email);
    expect(asked).toContain(`${BASE}/session`);
    expect(asked.some((p) => p.endsWith('.wasm'))).toBe(true);
  }
  const session = await page.request.get(`${origin}${BASE}/session`);
  expect((await session.json()).user.email).toBe(user.email);

  expect(asked.filter((p) => p.startsWith('/api/auth'))).toEqual([]);
  const old = await page.request.get(`${origin}/api/auth/session`);
  expect(old.status()).toBe(404);
});
