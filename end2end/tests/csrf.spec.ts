import { expect, test, type APIRequestContext } from '@playwright/test';
import {
  ORIGIN,
  csrfToken,
  expectSignedIn,
  expectSignedOut,
  newUser,
  open,
  postCredentials,
  registerViaApi,
  sessionOf,
  submitSignIn,
  type User,
} from '../fixtures/auth';

const EXPIRED = 'The form expired. Please try again.';

/** A token of the right shape that this server never issued for this cookie. */
function forged(real: string): string {
  return real.startsWith('0') ? '1'.repeat(64) : '0'.repeat(64);
}

async function registered(request: APIRequestContext): Promise<User> {
  const user = newUser('csrf');
  await registerViaApi(request, user);
  return user;
}

test.describe('CSRF protection', () => {
  test('a sign-in with a forged CSRF token is refused as an expired form', async ({ page, request }) => {
    const user = await registered(request);
    const token = await csrfToken(page.request);

    const { status, location } = await postCredentials(page.request, {
      csrfToken: forged(token),
      email: user.email,
      password: user.password,
      callbackUrl: '/',
    });

    expect(status).toBe(302);
    expect(location.origin).toBe(ORIGIN);
    expect(location.pathname).toBe('/api/auth/signin');
    expect(location.searchParams.get('error')).toBe('MissingCSRF');
    expect(await sessionOf(page.request)).toBeNull();

    await open(page, location.pathname + location.search);
    await expect(page.getByRole('alert')).toHaveText(EXPIRED);
    await expectSignedOut(page);
  });

  test('a sign-in without any CSRF token is refused', async ({ page, request }) => {
    const user = await registered(request);
    await csrfToken(page.request);
    const { status, location } = await postCredentials(page.request, {
      email: user.email,
      password: user.password,
    });
    expect(status).toBe(302);
    expect(location.searchParams.get('error')).toBe('MissingCSRF');
    expect(await sessionOf(page.request)).toBeNull();
  });

  test('a CSRF token without its cookie is refused', async ({ page, request, playwright }) => {
    const user = await registered(request);
    const token = await csrfToken(page.request);
    const stranger = await playwright.request.newContext({ baseURL: ORIGIN });
    try {
      const { location } = await postCredentials(stranger, {
        csrfToken: token,
        email: user.email,
        password: user.password,
      });
      expect(location.searchParams.get('error')).toBe('MissingCSRF');
      expect(await sessionOf(stranger)).toBeNull();
    } finally {
      await stranger.dispose();
    }
  });

  for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1:3001']) {
    test(`a sign-in posted from a foreign origin (${origin}) is refused even with a valid token`, async ({ page, request }) => {
      const user = await registered(request);
      const token = await csrfToken(page.request);

      const { status, location } = await postCredentials(
        page.request,
        { csrfToken: token, email: user.email, password: user.password, callbackUrl: '/' },
        { Origin: origin },
      );

      expect(status).toBe(302);
      expect(location.origin).toBe(ORIGIN);
      expect(location.searchParams.get('error')).toBe('MissingCSRF');
      expect(await sessionOf(page.request)).toBeNull();
    });
  }

  test('the same sign-in from the app\'s own origin succeeds', async ({ page, request }) => {
    const user = await registered(request);
    const { status, location } = await postCredentials(
      page.request,
      { csrfToken: await csrfToken(page.request), email: user.email, password: user.password, callbackUrl: '/protected' },
      { Origin: ORIGIN },
    );
    expect(status).toBe(302);
    expect(location.toString()).toBe(`${ORIGIN}/protected`);
    expect(await sessionOf(page.request)).toMatchObject({ user: { email: user.email } });
  });

  test('a sign-out with a forged token or from a foreign origin leaves the user signed in', async ({ page }) => {
    const user = newUser('csrf');
    await registerViaApi(page.request, user);
    const token = await csrfToken(page.request);

    const forgedOut = await page.request.post('/api/auth/signout', {
      form: { csrfToken: forged(token), callbackUrl: '/' },
      maxRedirects: 0,
    });
    expect(forgedOut.status()).toBe(302);
    expect(forgedOut.headers()['location']).toContain('error=MissingCSRF');

    const foreign = await page.request.post('/api/auth/signout', {
      form: { csrfToken: token, callbackUrl: '/' },
      headers: { Origin: 'https://evil.example' },
      maxRedirects: 0,
    });
    expect(foreign.headers()['location']).toContain('error=MissingCSRF');

    expect(await sessionOf(page.request)).toMatchObject({ user: { email: user.email } });
    await open(page, '/');
    await expectSignedIn(page, user);
  });

  test('a registration posted from a foreign origin creates no account', async ({ page }) => {
    const user = newUser('csrf');
    const res = await page.request.post('/api/register', {
      form: { csrfToken: await csrfToken(page.request), ...user, callbackUrl: '/' },
      headers: { Origin: 'https://evil.example' },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(302);
    expect(res.headers()['location']).toContain('error=MissingCSRF');
    expect(await sessionOf(page.request)).toBeNull();
  });

  test('a registration with a forged token creates no account', async ({ page }) => {
    const user = newUser('csrf');
    const token = await csrfToken(page.request);
    const res = await page.request.post('/api/register', {
      form: { csrfToken: forged(token), ...user, callbackUrl: '/' },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(302);
    expect(res.headers()['location']).toContain('error=MissingCSRF');
    expect(await sessionOf(page.request)).toBeNull();

    // The address is still free: registering it properly works.
    await registerViaApi(page.request, user);
    expect(await sessionOf(page.request)).toMatchObject({ user: { email: user.email } });
  });
});

test.describe('an expired form', () => {
  test('a sign-in form whose CSRF cookie is gone still signs in: at once with JavaScript, after "the form expired" without', async ({ page, context, request }, testInfo) => {
    const user = await registered(request);
    await open(page, '/api/auth/signin?callbackUrl=%2Fprotected');
    // The CSRF cookie disappears while the form is open (cleared, or expired).
    await context.clearCookies();

    await submitSignIn(page, user.email, user.password);
    if (testInfo.project.name === 'no-js') {
      // The plain form post is refused; the page that says so carries a fresh token.
      await expect(page.getByRole('alert')).toHaveText(EXPIRED);
      await expectSignedOut(page);
      await submitSignIn(page, user.email, user.password);
    }
    // The enhanced form fetched a fresh token (and cookie) by itself and tried again.
    await expect(page).toHaveURL(`${ORIGIN}/protected`);
    await expectSignedIn(page, user);
  });
});

const EVIL_CALLBACKS = [
  '//evil.example',
  'https://evil.example',
  'http://evil.example/path',
  '/\\evil.example',
  '\\\\evil.example',
  'javascript:alert(1)',
  '%2F%2Fevil.example',
  '/%2F/evil.example',
  'https:evil.example',
  ' //evil.example',
  '\t//evil.example',
  'http://127.0.0.1:3000@evil.example/',
  'http://127.0.0.1:3000.evil.example/',
];

/** Where a browser would go with this Location header. */
function expectStaysHome(location: string, payload: string): void {
  const target = new URL(location, ORIGIN);
  expect(target.origin, `${JSON.stringify(payload)} -> ${location}`).toBe(ORIGIN);
  expect(location.toLowerCase(), `${JSON.stringify(payload)} -> ${location}`).not.toMatch(/^\s*javascript:/);
}

test.describe('redirects stay on this site', () => {
  test('a successful sign-in never redirects to another origin, whatever the callbackUrl', async ({ page, request }) => {
    const user = await registered(request);
    for (const callbackUrl of EVIL_CALLBACKS) {
      const token = await csrfToken(page.request);
      const res = await page.request.post('/api/auth/callback/credentials', {
        form: { csrfToken: token, email: user.email, password: user.password, callbackUrl },
        maxRedirects: 0,
      });
      expect(res.status(), callbackUrl).toBe(302);
      const location = res.headers()['location'] ?? '';
      expect(location, callbackUrl).not.toContain('error=');
      expectStaysHome(location, callbackUrl);

      // The same through the client's JSON door (`X-Auth-Return-Redirect: 1`).
      const json = await page.request.post('/api/auth/callback/credentials', {
        form: { csrfToken: token, email: user.email, password: user.password, callbackUrl },
        headers: { 'X-Auth-Return-Redirect': '1' },
        maxRedirects: 0,
      });
      expect(json.status(), callbackUrl).toBe(200);
      expectStaysHome(((await json.json()) as { url: string }).url, callbackUrl);
    }
    expect(await sessionOf(page.request)).toMatchObject({ user: { email: user.email } });
  });

  test('a sign-out never redirects to another origin, whatever the callbackUrl', async ({ page }) => {
    for (const callbackUrl of EVIL_CALLBACKS) {
      const token = await csrfToken(page.request);
      const res = await page.request.post('/api/auth/signout', {
        form: { csrfToken: token, callbackUrl },
        maxRedirects: 0,
      });
      expect(res.status(), callbackUrl).toBe(302);
      expectStaysHome(res.headers()['location'] ?? '', callbackUrl);
    }
  });

  test('a registration never redirects to another origin, whatever the callbackUrl', async ({ page }) => {
    for (const callbackUrl of ['https://evil.example', '/\\evil.example']) {
      const user = newUser('redirect');
      const res = await page.request.post('/api/register', {
        form: { csrfToken: await csrfToken(page.request), ...user, callbackUrl },
        maxRedirects: 0,
      });
      expect(res.status(), callbackUrl).toBe(302);
      const location = res.headers()['location'] ?? '';
      expect(location, callbackUrl).not.toContain('error=');
      expectStaysHome(location, callbackUrl);
    }
  });

  test('the sign-in page ignores a foreign callbackUrl and signing in stays on this site', async ({ page, request }) => {
    const user = await registered(request);
    await open(page, '/api/auth/signin?callbackUrl=https%3A%2F%2Fevil.example%2Fsteal');
    const hidden = page.locator('input[type="hidden"][name="callbackUrl"]').first();
    await expect(hidden).toHaveValue('/');
    await expect(page.getByRole('link', { name: 'Create one' })).not.toHaveAttribute('href', /evil/);
    expect(await page.content()).not.toContain('evil.example');

    await submitSignIn(page, user.email, user.password);
    await expect(page).toHaveURL(`${ORIGIN}/`);
    await expectSignedIn(page, user);
  });

  test('a javascript: callbackUrl is not rendered into the sign-in or register page', async ({ page }) => {
    for (const path of ['/api/auth/signin', '/register']) {
      const res = await page.request.get(`${path}?callbackUrl=${encodeURIComponent('javascript:alert(1)')}`);
      expect(res.status()).toBe(200);
      expect(await res.text(), path).not.toContain('javascript:');
    }
  });
});
