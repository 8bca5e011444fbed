import { expect, test, type Page, type Request } from '@playwright/test';
import {
  ORIGIN,
  expectSignedIn,
  expectSignedOut,
  newUser,
  open,
  registerViaApi,
  submitRegistration,
  submitSignIn,
} from '../fixtures/auth';

// Hydration only exists with JavaScript: this file is a `js`-project file (a project filter,
// not a disabled test).
test.beforeEach(({}, testInfo) => {
  test.skip(testInfo.project.name !== 'js', 'hydration needs JavaScript');
});

/** Marks the current document; a full page load loses the mark. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __noReload: number }).__noReload = 1;
  });
}

async function sameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __noReload?: number }).__noReload === 1);
}

test.describe('hydration', () => {
  test('a signed-in page hydrates with the user shown and without asking the server for the session', async ({ page }) => {
    const user = newUser('hydrate');
    await registerViaApi(page.request, user);
    const requests: Request[] = [];
    page.on('request', (req) => requests.push(req));

    await page.goto('/');
    await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.waitForTimeout(1_000);

    await expectSignedIn(page, user);
    await expect(page.locator('p.status')).toHaveText(`You are signed in as ${user.name}.`);
    const sessionFetches = requests
      .map((req) => new URL(req.url()))
      .filter((url) => url.pathname.startsWith('/api/auth/session'));
    expect(sessionFetches.map(String)).toEqual([]);
    // The page did load its wasm: the check above is not vacuous.
    expect(requests.some((req) => req.url().endsWith('.wasm'))).toBe(true);
  });

  test('a signed-out page hydrates without asking the server for the session', async ({ page }) => {
    const requests: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    await open(page, '/');
    await page.waitForTimeout(1_000);
    await expectSignedOut(page);
    expect(requests.filter((url) => new URL(url).pathname.startsWith('/api/auth/session'))).toEqual([]);
  });

  test('signing in through the form happens without a full page load', async ({ page, request }) => {
    const user = newUser('noreload');
    await registerViaApi(request, user);
    await open(page, '/api/auth/signin?callbackUrl=%2Fprotected');
    await markDocument(page);

    await submitSignIn(page, user.email, user.password);

    await expect(page).toHaveURL(`${ORIGIN}/protected`);
    await expect(page.getByRole('heading', { name: 'Protected page' })).toBeVisible();
    await expectSignedIn(page, user);
    expect(await sameDocument(page)).toBe(true);
  });

  test('a failed sign-in shows its message without a full page load', async ({ page }) => {
    const nobody = newUser('nobody');
    await open(page, '/api/auth/signin');
    await markDocument(page);

    await submitSignIn(page, nobody.email, nobody.password);

    await expect(page.getByRole('alert')).toHaveText('Sign in failed. Check the details you provided are correct.');
    expect(await sameDocument(page)).toBe(true);
  });

  test('signing out through the nav happens without a full page load', async ({ page }) => {
    const user = newUser('noreload');
    await registerViaApi(page.request, user);
    await open(page, '/api/auth/signout');
    await markDocument(page);

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();

    await expect(page).toHaveURL(`${ORIGIN}/`);
    await expectSignedOut(page);
    expect(await sameDocument(page)).toBe(true);
  });

  test('creating an account happens without a full page load', async ({ page }) => {
    const user = newUser('noreload');
    await open(page, '/register?callbackUrl=%2Fprotected');
    await markDocument(page);

    await submitRegistration(page, user);

    await expect(page).toHaveURL(`${ORIGIN}/protected`);
    await expectSignedIn(page, user);
    expect(await sameDocument(page)).toBe(true);
  });

  test('after signing in without a reload, the nav link to the protected page works client-side', async ({ page, request }) => {
    const user = newUser('noreload');
    await registerViaApi(request, user);
    await open(page, '/api/auth/signin');
    await markDocument(page);
    await submitSignIn(page, user.email, user.password);
    await expect(page).toHaveURL(`${ORIGIN}/`);

    await page.getByRole('banner').getByRole('link', { name: 'Protected' }).click();

    await expect(page).toHaveURL(`${ORIGIN}/protected`);
    await expect(page.getByText(`Your email: ${user.email}`)).toBeVisible();
    expect(await sameDocument(page)).toBe(true);
  });

  test('signing out in one tab signs the other tab out too, without a reload', async ({ page, context }) => {
    const user = newUser('tabs');
    await registerViaApi(page.request, user);
    const other = await context.newPage();
    await open(other, '/protected');
    await expectSignedIn(other, user);
    await markDocument(other);

    await open(page, '/');
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await expectSignedOut(page);

    await expectSignedOut(other);
    await expect(other).toHaveURL(`${ORIGIN}/api/auth/signin?callbackUrl=%2Fprotected`);
    expect(await sameDocument(other)).toBe(true);
  });

  test('signing in in one tab signs the other tab in too, without a reload', async ({ page, context, request }) => {
    const user = newUser('tabs');
    await registerViaApi(request, user);
    const other = await context.newPage();
    await open(other, '/');
    await expectSignedOut(other);
    await markDocument(other);

    await open(page, '/api/auth/signin');
    await submitSignIn(page, user.email, user.password);
    await expectSignedIn(page, user);

    await expectSignedIn(other, user);
    await expect(other.locator('p.status')).toHaveText(`You are signed in as ${user.name}.`);
    expect(await sameDocument(other)).toBe(true);
  });
});
