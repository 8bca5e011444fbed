import { expect, test } from '@playwright/test';
import {
  ORIGIN,
  expectSignedIn,
  expectSignedOut,
  jsEnabled,
  newUser,
  open,
  registerViaApi,
  sessionOf,
  signInViaUi,
  submitSignIn,
} from '../fixtures/auth';

const FAILED = 'Sign in failed. Check the details you provided are correct.';

test.describe('sign in with email and password', () => {
  test('the sign-in page offers the credentials form and a link to create an account', async ({ page }) => {
    await open(page, '/api/auth/signin');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByLabel('Email', { exact: true })).toBeVisible();
    await expect(page.getByLabel('Password', { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in with Credentials' })).toBeVisible();
    const createOne = page.getByRole('link', { name: 'Create one' });
    await expect(createOne).toHaveAttribute('href', /^\/register(\?|$)/);
    await expect(page.getByRole('alert')).toHaveCount(0);
  });

  test('signing in shows "Signed in as" with the name, in the server-rendered HTML too, and survives a reload', async ({ page, request }) => {
    const user = newUser('signin');
    await registerViaApi(request, user);

    await signInViaUi(page, user);
    await expect(page.locator('p.status')).toHaveText(`You are signed in as ${user.name}.`);

    // The HTML the server renders for this cookie jar, before any JavaScript runs.
    const html = await (await page.request.get('/')).text();
    expect(html).toContain('Signed in as');
    expect(html).toContain(user.name);
    expect(html).toContain('You are signed in as');

    await page.reload();
    await expectSignedIn(page, user);
    expect(await sessionOf(page.request)).toMatchObject({ user: { name: user.name, email: user.email } });
  });

  test('a wrong password says sign-in failed and does not sign in', async ({ page, request }) => {
    const user = newUser('wrongpw');
    await registerViaApi(request, user);

    await open(page, '/api/auth/signin');
    await submitSignIn(page, user.email, 'not the password');

    await expect(page.getByRole('alert')).toHaveText(FAILED);
    // With JavaScript too the page follows the answer's redirect (in the background).
    await expect(page).toHaveURL((url) =>
      url.pathname === '/api/auth/signin' &&
      url.searchParams.get('error') === 'CredentialsSignin' &&
      url.searchParams.get('code') === 'credentials' &&
      url.searchParams.has('callbackUrl'),
    );
    if (jsEnabled()) {
      // The same form, morphed in place: what was typed is still there.
      await expect(page.getByLabel('Email', { exact: true })).toHaveValue(user.email);
    }
    await expectSignedOut(page);
    expect(await sessionOf(page.request)).toBeNull();

    // The right password still works afterwards.
    await submitSignIn(page, user.email, user.password);
    await expect(page).toHaveURL(`${ORIGIN}/`);
    await expectSignedIn(page, user);
  });

  test('an unknown email says sign-in failed, exactly as a wrong password does', async ({ page }) => {
    const nobody = newUser('nobody');
    await open(page, '/api/auth/signin');
    await submitSignIn(page, nobody.email, nobody.password);

    await expect(page.getByRole('alert')).toHaveText(FAILED);
    if (jsEnabled()) {
      await expect(page.getByLabel('Email', { exact: true })).toHaveValue(nobody.email);
    } else {
      await expect(page).toHaveURL((url) =>
        url.searchParams.get('error') === 'CredentialsSignin' && url.searchParams.get('code') === 'credentials',
      );
    }
    await expectSignedOut(page);
  });

  test('a new failure replaces the message the page was opened with', async ({ page }) => {
    const nobody = newUser('nobody');
    await open(page, '/api/auth/signin?error=MissingCSRF&callbackUrl=%2Fprotected');
    await expect(page.getByRole('alert')).toHaveText('The form expired. Please try again.');

    await submitSignIn(page, nobody.email, nobody.password);

    // One message, the current one: not "the form expired" next to "sign in failed".
    await expect(page.getByRole('alert')).toHaveText([FAILED]);
  });

  test('the session cookie is HttpOnly, SameSite=Lax and scoped to /', async ({ page, context, request }) => {
    const user = newUser('cookie');
    await registerViaApi(request, user);
    await signInViaUi(page, user);

    const cookies = await context.cookies(ORIGIN);
    const session = cookies.find((c) => c.name === 'authjs.session-token');
    expect(session, JSON.stringify(cookies.map((c) => c.name))).toBeDefined();
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
    // A persistent cookie (30 days), not a browser-session one.
    expect(session!.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 24 * 3600);
    const csrf = cookies.find((c) => c.name === 'authjs.csrf-token');
    expect(csrf).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    // The page's scripts cannot read either of them.
    if (jsEnabled()) {
      expect(await page.evaluate(() => document.cookie)).not.toContain('authjs.');
    }
  });
});

test.describe('the session and CSRF endpoints', () => {
  test('the session endpoint answers null when signed out and the user when signed in, never cached', async ({ page }) => {
    const signedOut = await page.request.get('/api/auth/session');
    expect(signedOut.status()).toBe(200);
    expect(await signedOut.json()).toBeNull();
    expect(signedOut.headers()['cache-control']).toBe('private, no-cache, no-store');

    const user = newUser('session');
    await registerViaApi(page.request, user);
    const signedIn = await page.request.get('/api/auth/session');
    expect(signedIn.headers()['cache-control']).toBe('private, no-cache, no-store');
    const body = (await signedIn.json()) as { user: Record<string, unknown>; expires: string };
    expect(body.user).toMatchObject({ name: user.name, email: user.email });
    expect(body.expires).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Date.parse(body.expires)).toBeGreaterThan(Date.now());

    await open(page, '/');
    await expectSignedIn(page, user);
  });

  test('the CSRF endpoint hands out a 64-hex token and the providers endpoint lists credentials', async ({ page }) => {
    const csrf = await page.request.get('/api/auth/csrf');
    expect(await csrf.json()).toEqual({ csrfToken: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const providers = await page.request.get('/api/auth/providers');
    expect(providers.status()).toBe(200);
    const list = await providers.json();
    expect(list.credentials).toEqual({
      id: 'credentials',
      name: 'Credentials',
      type: 'credentials',
      signinUrl: `${ORIGIN}/api/auth/signin/credentials`,
      callbackUrl: `${ORIGIN}/api/auth/callback/credentials`,
    });
    // The OpenID provider the suite runs, as `oidc` and as plain `oauth`.
    expect(list.oidc).toMatchObject({ id: 'oidc', type: 'oidc', callbackUrl: `${ORIGIN}/api/auth/callback/oidc` });
    expect(list.oauth).toMatchObject({ id: 'oauth', type: 'oauth', callbackUrl: `${ORIGIN}/api/auth/callback/oauth` });
  });
});
