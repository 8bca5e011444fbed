// Multi-client: a front end served from another loopback origin (listed in
// AUTH_CLIENT_ORIGINS as `spa`) signs in against this app and reads the session across origins,
// with CORS and credentials; an origin that is not listed cannot read it.

import { createServer, type Server } from 'node:http';
import { expect, test } from '@playwright/test';
import { ORIGIN, newUser, registerViaApi } from '../fixtures/auth';

const SPA = 'http://127.0.0.1:3300';
const STRANGER = 'http://127.0.0.1:3301';

// The client's pages: plain HTML and fetch, as any front end on another origin would do it.
const SIGN_IN_PAGE = `<!DOCTYPE html><html><body>
<h1>SPA sign-in</h1>
<form id="signin" method="post" action="${ORIGIN}/api/auth/callback/credentials">
  <input type="hidden" name="csrfToken">
  <input type="hidden" name="callbackUrl" value="${SPA}/done">
  <label>Email <input name="email" type="email"></label>
  <label>Password <input name="password" type="password"></label>
  <button type="submit" disabled>Sign in</button>
</form>
<script>
  fetch('${ORIGIN}/api/auth/csrf', { credentials: 'include' })
    .then((r) => r.json())
    .then(({ csrfToken }) => {
      document.querySelector('[name=csrfToken]').value = csrfToken;
      document.querySelector('button').disabled = false;
    });
</script></body></html>`;

const DONE_PAGE = `<!DOCTYPE html><html><body>
<h1>SPA home</h1>
<pre id="session"></pre><pre id="signout"></pre><pre id="after"></pre>
<button id="out">Sign out</button>
<script>
  const session = () => fetch('${ORIGIN}/api/auth/session', { credentials: 'include' }).then((r) => r.text());
  session().then((s) => (document.getElementById('session').textContent = s));
  document.getElementById('out').onclick = async () => {
    const { csrfToken } = await fetch('${ORIGIN}/api/auth/csrf', { credentials: 'include' }).then((r) => r.json());
    const res = await fetch('${ORIGIN}/api/auth/signout', {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Auth-Return-Redirect': '1' },
      body: new URLSearchParams({ csrfToken, callbackUrl: '${SPA}/' }),
    });
    document.getElementById('signout').textContent = JSON.stringify(await res.json());
    document.getElementById('after').textContent = await session();
  };
</script></body></html>`;

const STRANGER_PAGE = `<!DOCTYPE html><html><body><pre id="result"></pre><script>
  fetch('${ORIGIN}/api/auth/session', { credentials: 'include' })
    .then((r) => r.text())
    .then((t) => (document.getElementById('result').textContent = 'read: ' + t))
    .catch(() => (document.getElementById('result').textContent = 'blocked'));
</script></body></html>`;

function serve(port: number, pages: Record<string, string>): Promise<Server> {
  const server = createServer((req, res) => {
    const page = pages[(req.url ?? '/').split('?')[0]];
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page ?? 'not found');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

let servers: Server[] = [];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({}, testInfo) => {
  if (testInfo.project.name !== 'js') return;
  servers = [
    await serve(3300, { '/': SIGN_IN_PAGE, '/done': DONE_PAGE }),
    await serve(3301, { '/': STRANGER_PAGE }),
  ];
});

test.afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  servers = [];
});

test.beforeEach(({}, testInfo) => {
  test.skip(testInfo.project.name !== 'js', 'the client pages use fetch');
});

test('a front end on a listed origin signs in, reads the session across origins, and signs out', async ({ page, request }) => {
  const user = newUser('spa');
  await registerViaApi(request, user);

  await page.goto(`${SPA}/`);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page).toHaveURL(`${SPA}/done`);
  await expect(page.locator('#session')).not.toHaveText('');
  const session = JSON.parse((await page.locator('#session').textContent()) ?? 'null');
  expect(session.user).toMatchObject({
    email: user.email,
    provider: 'credentials',
    clientOrigin: SPA,
    clientId: 'spa',
  });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.locator('#after')).toHaveText('null');
  expect(JSON.parse((await page.locator('#signout').textContent()) ?? '{}')).toEqual({ url: `${SPA}/` });
});

test('an origin that is not listed cannot read the session', async ({ page }) => {
  const user = newUser('stranger');
  await registerViaApi(page.request, user);
  await page.goto(`${STRANGER}/`);
  await expect(page.locator('#result')).toHaveText('blocked');
});

test('a callbackUrl on a listed origin is followed, one on another origin is not', async ({ page }) => {
  const user = newUser('spa-redirect');
  await registerViaApi(page.request, user);
  const csrf = (await (await page.request.get('/api/auth/csrf')).json()).csrfToken;
  const listed = await page.request.post('/api/auth/signout', {
    form: { csrfToken: csrf, callbackUrl: `${SPA}/bye` },
    maxRedirects: 0,
  });
  expect(listed.headers()['location']).toBe(`${SPA}/bye`);
  await registerViaApi(page.request, newUser('spa-redirect'));
  const csrf2 = (await (await page.request.get('/api/auth/csrf')).json()).csrfToken;
  const foreign = await page.request.post('/api/auth/signout', {
    form: { csrfToken: csrf2, callbackUrl: `${STRANGER}/steal` },
    maxRedirects: 0,
  });
  expect(foreign.headers()['location']).toBe(`${ORIGIN}/`);
});
