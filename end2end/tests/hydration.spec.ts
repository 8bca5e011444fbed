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
  test('a signed-in page shows the user and loading it asks the server for nothing: no session, no wasm', async ({ page }) => {
    const user = newUser('hydrate');
    await registerViaApi(page.request, user);
    const requests: Request[] = [];
    page.on('request', (req) => requests.push(req));

    await page.goto('/');
    await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.waitForTimeout(1_000);

    await expectSignedIn(page, user);
    await expect(page.locator('p.status')).toHaveText(`You are signed in as ${user.name}.`);
    const paths = requests.map((req) => new URL(req.url()).pathname);
    expect(paths.filter((path) => path.startsWith('/api/auth/session'))).toEqual([]);
    // A page without islands gets the page script only.
    expect(paths).toContain('/enhance.js');
    expect(paths.filter((path) => path.endsWith('.wasm'))).toEqual([]);
  });

  test('a page with an island hydrates it from the page\'s session without asking the server', async ({ page }) => {
    const user = newUser('hydrate');
    await registerViaApi(page.request, user);
    const requests: Request[] = [];
    page.on('request', (req) => requests.push(req));

    await open(page, '/client-api');
    await expect(page.getByTestId('live')).toHaveText(`use_session(): Authenticated · ${user.name}`);
    await page.waitForTimeout(500);

    const paths = requests.map((req) => new URL(req.url()).pathname);
    expect(paths.filter((path) => path.startsWith('/api/auth/'))).toEqual([]);
    // The island's code did load: the check above is not vacuous.
    expect(paths.some((path) => path.endsWith('.wasm'))).toBe(true);
  });

  test('the built-in pages and the pages without islands fetch no wasm', async ({ page }) => {
    const user = newUser('light');
    await registerViaApi(page.request, user);
    const wasm: string[] = [];
    page.on('request', (req) => {
      if (new URL(req.url()).pathname.endsWith('.wasm')) wasm.push(req.url());
    });
    for (const path of ['/', '/protected', '/api/auth/signout', '/api/auth/error', '/api/auth/verify-request']) {
      await open(page, path);
    }
    await page.context().clearCookies();
    for (const path of ['/api/auth/signin', '/register', '/login']) {
      await open(page, path);
    }
    expect(wasm).toEqual([]);
  });

  test('links, back and forward move between pages without a full page load', async ({ page }) => {
    await open(page, '/');
    await markDocument(page);

    await page.getByRole('banner').getByRole('link', { name: 'Register' }).click();
    await expect(page).toHaveURL(`${ORIGIN}/register`);
    await expect(page.getByRole('heading', { name: 'Create an account' })).toBeVisible();
    await expect(page).toHaveTitle('Create an account · Leptos Auth');

    await page.goBack();
    await expect(page).toHaveURL(`${ORIGIN}/`);
    await expect(page.locator('p.status')).toHaveText('You are not signed in.');
    await expect(page).toHaveTitle('Home · Leptos Auth');

    await page.goForward();
    await expect(page.getByRole('heading', { name: 'Create an account' })).toBeVisible();
    expect(await sameDocument(page)).toBe(true);
  });

  test('an island keeps its state while the page around it is refreshed', async ({ page, request }) => {
    const user = newUser('island');
    await registerViaApi(request, user);
    await open(page, '/client-api');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await markDocument(page);

    // Signing in from the island refreshes the server-rendered nav around it...
    await page.getByRole('button', { name: 'sign_in credentials', exact: true }).click();
    await expectSignedIn(page, user);
    // ...and the island's own inputs and output are still the ones it had.
    await expect(page.getByLabel('Email')).toHaveValue(user.email);
    await expect(page.getByTestId('out')).toContainText('"ok":true');
    expect(await sameDocument(page)).toBe(true);
  });

  test('a session that ended while the tab was hidden is shown when the tab is visible again', async ({ page }) => {
    const user = newUser('focus');
    await registerViaApi(page.request, user);
    await open(page, '/');
    await expectSignedIn(page, user);
    await markDocument(page);

    // Signed out behind the page's back (another client of the same browser).
    const { csrfToken } = await (await page.request.get('/api/auth/csrf')).json();
    await page.request.post('/api/auth/signout', { form: { csrfToken, callbackUrl: '/' }, maxRedirects: 0 });
    await expectSignedIn(page, user);

    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await expectSignedOut(page);
    await expect(page.locator('p.status')).toHaveText('You are not signed in.');
    expect(await sameDocument(page)).toBe(true);
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
