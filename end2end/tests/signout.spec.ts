import { expect, test, type Page } from '@playwright/test';
import {
  ORIGIN,
  expectSignedIn,
  expectSignedOut,
  newUser,
  open,
  registerViaApi,
  sessionOf,
  signInViaUi,
} from '../fixtures/auth';

/** Everything that says the browser is signed out, from the page to the server. */
async function expectFullySignedOut(page: Page): Promise<void> {
  await expectSignedOut(page);
  expect(await sessionOf(page.request)).toBeNull();
  const cookies = await page.context().cookies(ORIGIN);
  expect(cookies.map((c) => c.name)).not.toContain('authjs.session-token');
  const guarded = await page.request.get('/protected', { maxRedirects: 0 });
  expect(guarded.status()).toBe(302);
  expect(guarded.headers()['location']).toBe('/api/auth/signin?callbackUrl=%2Fprotected');
  await open(page, '/protected');
  await expect(page).toHaveURL(`${ORIGIN}/api/auth/signin?callbackUrl=%2Fprotected`);
}

test.describe('sign out', () => {
  test('the Sign out button in the nav signs out right after signing in and returns home', async ({ page, request }) => {
    const user = newUser('signout');
    await registerViaApi(request, user);
    // Signed in through the form (with JavaScript: in the background, no page load), then
    // signed out from the same page: the form must still carry a valid CSRF token.
    await signInViaUi(page, user);

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();

    await expect(page).toHaveURL(`${ORIGIN}/`);
    await expect(page.locator('p.status')).toHaveText('You are not signed in.');
    await expectFullySignedOut(page);
  });

  test('signing out from the protected page goes home, not to the sign-in page', async ({ page }) => {
    const user = newUser('signout');
    await registerViaApi(page.request, user);
    await open(page, '/protected');
    await expect(page.getByRole('heading', { name: 'Protected page' })).toBeVisible();

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();

    await expect(page).toHaveURL(`${ORIGIN}/`);
    await expect(page.locator('p.status')).toHaveText('You are not signed in.');
    await expectFullySignedOut(page);
  });

  test('the sign-out page asks for confirmation, then signs out', async ({ page }) => {
    const user = newUser('signout');
    await registerViaApi(page.request, user);

    await open(page, '/api/auth/signout');
    await expect(page.getByRole('heading', { name: 'Sign out' })).toBeVisible();
    await expect(page.getByText('Are you sure you want to sign out?')).toBeVisible();
    await expectSignedIn(page, user);

    await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();

    await expect(page).toHaveURL(`${ORIGIN}/`);
    await expectFullySignedOut(page);
  });

  test('the sign-out page sends the user to its callbackUrl', async ({ page }) => {
    const user = newUser('signout');
    await registerViaApi(page.request, user);

    await open(page, '/api/auth/signout?callbackUrl=%2Fregister');
    await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();

    await expect(page).toHaveURL(`${ORIGIN}/register`);
    await expect(page.getByRole('heading', { name: 'Create an account' })).toBeVisible();
    await expectFullySignedOut(page);
  });
});

test('Sign out everywhere on the account page ends the sessions of the other browsers too', async ({ page, browser }, testInfo) => {
  const user = newUser('everywhere');
  await registerViaApi(page.request, user);
  const phone = await browser.newContext({ javaScriptEnabled: testInfo.project.name === 'js' });
  const phonePage = await phone.newPage();
  await signInViaUi(phonePage, user);

  await open(page, '/account');
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  // This browser is sent to sign in (the account page needs a session)...
  await expect(page).toHaveURL(/\/api\/auth\/signin\?callbackUrl=%2Faccount$/);
  expect(await sessionOf(page.request)).toBeNull();
  // ...and the other one is signed out on its next request.
  await open(phonePage, '/');
  await expectSignedOut(phonePage);
  expect(await sessionOf(phonePage.request)).toBeNull();
  // Signing in again works.
  await signInViaUi(phonePage, user);
  await phone.close();
});
