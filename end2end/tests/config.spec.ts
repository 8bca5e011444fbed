// The starter's configuration in use (app/src/pages/hooks.rs): a role put in the token by the jwt
// callback and exposed by the session callback, a page only that role may see (the authorized
// callback), and a custom sign-in page built from the built-in one's parts. With JavaScript on
// and off.

import { expect, test } from '@playwright/test';
import {
  ORIGIN,
  confirmAddress,
  csrfToken,
  newUser,
  open,
  registerViaApi,
  sessionOf,
  submitSignIn,
} from '../fixtures/auth';

test('the admin page is for the admin role only', async ({ page, browser }, testInfo) => {
  // scripts/test lists these two addresses in STARTER_ADMIN_EMAILS (one per project). The list
  // applies to a proven address only: a registration alone does not make an admin.
  const admin = { ...newUser('admin'), email: `admin-${testInfo.project.name}@example.com` };
  await registerViaApi(page.request, admin);
  expect(await sessionOf(page.request)).toMatchObject({ user: { email: admin.email, role: 'user' } });
  // The registrant confirms the address with a link, in the same browser: proven, password kept.
  await confirmAddress(page, admin.email);
  expect(await sessionOf(page.request)).toMatchObject({ user: { email: admin.email, role: 'admin' } });
  const res = await open(page, '/admin');
  expect(res?.status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'Admin' })).toBeVisible();
  await expect(page.getByTestId('admin-only')).toContainText(admin.email);
  await expect(page.getByRole('banner').getByRole('link', { name: 'Admin' })).toBeVisible();

  const other = await browser.newContext({ javaScriptEnabled: testInfo.project.name === 'js' });
  const userPage = await other.newPage();
  const user = newUser('not-admin');
  await registerViaApi(userPage.request, user);
  expect(await sessionOf(userPage.request)).toMatchObject({ user: { role: 'user' } });
  const refused = await userPage.goto('/admin');
  expect(refused?.status()).toBe(403);
  await expect(userPage.getByRole('heading', { name: 'Access denied' })).toBeVisible();
  await expect(userPage.getByTestId('admin-only')).toHaveCount(0);
  await other.close();
});

test('a signed-out visitor of the admin page is sent to sign in first', async ({ page }) => {
  await open(page, '/admin');
  await expect(page).toHaveURL(`${ORIGIN}/api/auth/signin?callbackUrl=%2Fadmin`);
});

test('the custom sign-in page at /login signs in and returns to the callbackUrl', async ({ page, request }) => {
  const user = newUser('login');
  await registerViaApi(request, user);
  await open(page, '/login?callbackUrl=%2Fprotected');
  await expect(page.getByRole('heading', { name: 'Welcome back' })).toBeVisible();
  await submitSignIn(page, user.email, 'wrong password!');
  await expect(page.getByRole('alert')).toContainText('Sign in failed');
  await submitSignIn(page, user.email, user.password);
  await expect(page).toHaveURL(`${ORIGIN}/protected`);
  await expect(page.getByTestId('signed-in-as')).toHaveText(`Signed in as ${user.name}`);
});

test('a session update without a CSRF token changes nothing', async ({ page }) => {
  const user = newUser('update');
  await registerViaApi(page.request, user);
  // As @auth/core's validateCSRF: 400 with a null body.
  const res = await page.request.post('/api/auth/session', { data: { data: { name: 'Mallory' } } });
  expect(res.status()).toBe(400);
  expect(await res.json()).toBeNull();
  expect(await sessionOf(page.request)).toMatchObject({ user: { name: user.name } });
  const ok = await page.request.post('/api/auth/session', {
    data: { csrfToken: await csrfToken(page.request), data: { name: 'Renamed' } },
  });
  expect((await ok.json()).user.name).toBe('Renamed');
  expect(await sessionOf(page.request)).toMatchObject({ user: { name: 'Renamed' } });
});
