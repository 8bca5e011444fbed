import { expect, test } from '@playwright/test';
import {
  ORIGIN,
  expectSignedIn,
  hydrated,
  newUser,
  open,
  registerViaApi,
  submitRegistration,
  submitSignIn,
} from '../fixtures/auth';

const SIGN_IN_FOR_PROTECTED = `${ORIGIN}/api/auth/signin?callbackUrl=%2Fprotected`;

test.describe('the protected page', () => {
  test('the server redirects a signed-out visitor to sign-in with a callbackUrl back', async ({ page }) => {
    const res = await page.request.get('/protected', { maxRedirects: 0 });
    expect(res.status()).toBe(302);
    expect(res.headers()['location']).toBe('/api/auth/signin?callbackUrl=%2Fprotected');
  });

  test('a signed-out visitor is sent to sign in, and signing in brings them back to the protected page', async ({ page, request }) => {
    const user = newUser('protected');
    await registerViaApi(request, user);

    await open(page, '/protected');
    await expect(page).toHaveURL(SIGN_IN_FOR_PROTECTED);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect(page.locator('input[type="hidden"][name="callbackUrl"]').first()).toHaveValue('/protected');

    await submitSignIn(page, user.email, user.password);

    await expect(page).toHaveURL(`${ORIGIN}/protected`);
    await expect(page.getByRole('heading', { name: 'Protected page' })).toBeVisible();
    await expect(page.getByText(`Only signed-in users see this. Your email: ${user.email}`)).toBeVisible();
    await expectSignedIn(page, user);
  });

  test('following the nav link to the protected page while signed out ends on sign-in', async ({ page }) => {
    await open(page, '/');
    await page.getByRole('banner').getByRole('link', { name: 'Protected' }).click();
    await expect(page).toHaveURL(SIGN_IN_FOR_PROTECTED);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Protected page' })).toHaveCount(0);
  });

  test('a signed-in user opens the protected page directly, and the server renders it', async ({ page }) => {
    const user = newUser('protected');
    await registerViaApi(page.request, user);

    const html = await (await page.request.get('/protected')).text();
    expect(html).toContain('Protected page');
    expect(html).toContain(user.email);

    const res = await open(page, '/protected');
    expect(res?.status()).toBe(200);
    await expect(page.getByRole('heading', { name: 'Protected page' })).toBeVisible();
    await expect(page.getByText(`Your email: ${user.email}`)).toBeVisible();
  });

  test('after a wrong password, signing in still returns to the protected page', async ({ page, request }) => {
    const user = newUser('protected');
    await registerViaApi(request, user);

    await open(page, '/protected');
    await submitSignIn(page, user.email, 'not the password');
    await expect(page.getByRole('alert')).toHaveText('Sign in failed. Check the details you provided are correct.');

    await submitSignIn(page, user.email, user.password);
    await expect(page).toHaveURL(`${ORIGIN}/protected`);
    await expect(page.getByText(`Your email: ${user.email}`)).toBeVisible();
  });

  test('creating an account from the sign-in page also returns to the protected page', async ({ page }) => {
    const user = newUser('protected');
    await open(page, '/protected');
    await page.getByRole('link', { name: 'Create one' }).click();
    await expect(page).toHaveURL(`${ORIGIN}/register?callbackUrl=%2Fprotected`);
    await hydrated(page);

    await submitRegistration(page, user);

    await expect(page).toHaveURL(`${ORIGIN}/protected`);
    await expect(page.getByText(`Your email: ${user.email}`)).toBeVisible();
    await expectSignedIn(page, user);
  });
});

test('a variant of a protected path is redirected to it and guarded like it', async ({ page }) => {
  // (A browser resolves dot segments itself; the server tests send those raw.)
  for (const variant of ['/protected/', '//protected', '/%70rotected', '/protected//']) {
    const res = await page.request.get(`${ORIGIN}${variant}`, { maxRedirects: 0 });
    expect(res.status(), variant).toBe(308);
    expect(res.headers()['location'], variant).toBe('/protected');
  }
  await open(page, '/protected/');
  await expect(page).toHaveURL(`${ORIGIN}/api/auth/signin?callbackUrl=%2Fprotected`);
});

test('pages cannot be framed by another site and are never cached', async ({ page }) => {
  const res = await page.goto('/api/auth/signin');
  const headers = res!.headers();
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['content-security-policy']).toBe("frame-ancestors 'none'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['cache-control']).toBe('private, no-store');
  // A page of another origin that frames the sign-in page gets nothing from it.
  await page.goto('about:blank');
  await page.setContent(`<iframe id="f" src="${ORIGIN}/api/auth/signin"></iframe>`);
  await page.waitForTimeout(1500);
  const frame = page.frames().find((f) => f.url().startsWith(`${ORIGIN}/api/auth/signin`));
  const framedButtons = frame ? await frame.getByRole('button').count().catch(() => 0) : 0;
  expect(framedButtons).toBe(0);
});
