// The client API, row by row of docs/client-api.md: each test presses one button of the
// starter's /client-api page, which calls one function of `app::auth` in the browser (wasm),
// and checks what it returned and what it did to the page's session signals.

import { expect, test, type Page } from '@playwright/test';
import { ORIGIN, newUser, open, registerViaApi, type User } from '../fixtures/auth';

test.beforeEach(({}, testInfo) => {
  test.skip(testInfo.project.name !== 'js', 'the client API runs in the browser');
});

/** Presses a button and waits for its call to answer (the page counts answers). */
async function press(page: Page, name: string): Promise<string> {
  const out = page.getByTestId('out');
  const calls = Number(await out.getAttribute('data-calls'));
  await page.getByRole('button', { name, exact: true }).click();
  await expect(out).toHaveAttribute('data-calls', String(calls + 1));
  return (await out.textContent()) ?? '';
}

async function fill(page: Page, user: User): Promise<void> {
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
}

async function signedIn(page: Page): Promise<User> {
  const user = newUser('client');
  await registerViaApi(page.context().request, user);
  await open(page, '/client-api');
  await expect(page.getByTestId('live')).toContainText('Authenticated');
  return user;
}

test('get_session (getSession, init) answers null signed out and the session signed in', async ({ page }) => {
  await open(page, '/client-api');
  expect(await press(page, 'get_session')).toBe('null');
  const user = await signedIn(page);
  const session = JSON.parse(await press(page, 'get_session'));
  expect(session.user.email).toBe(user.email);
  expect(session.expires).toMatch(/^\d{4}-\d\d-\d\dT/);
});

test('get_csrf_token (getCsrfToken, csrfToken) answers a 64-hex token', async ({ page }) => {
  await open(page, '/client-api');
  const answer = JSON.parse(await press(page, 'get_csrf_token'));
  expect(answer.csrfToken).toMatch(/^[0-9a-f]{64}$/);
});

test('get_providers (getProviders, providers) lists every configured provider', async ({ page }) => {
  await open(page, '/client-api');
  const ids = JSON.parse(await press(page, 'get_providers'));
  expect(ids).toEqual(expect.arrayContaining(['credentials', 'oidc', 'oauth', 'email']));
});

test('get_linked_accounts (linked) says which providers the user has', async ({ page }) => {
  await signedIn(page);
  const linked = JSON.parse(await press(page, 'get_linked_accounts')) as { id: string; linked: boolean }[];
  expect(linked.find((p) => p.id === 'credentials')?.linked).toBe(true);
  expect(linked.find((p) => p.id === 'oidc')?.linked).toBe(false);
});

test('sign_in credentials with redirect: false (signIn, signin({email, password})) resolves to a SignInResponse and updates the signals', async ({ page, request }) => {
  const user = newUser('client');
  await registerViaApi(request, user);
  await open(page, '/client-api');
  await expect(page.getByTestId('live')).toContainText('Unauthenticated');
  await fill(page, { ...user, password: 'wrong password!' });
  const failed = JSON.parse(await press(page, 'sign_in credentials'));
  expect(failed).toMatchObject({ error: 'CredentialsSignin', code: 'credentials', ok: true, url: null });

  await fill(page, user);
  const answer = JSON.parse(await press(page, 'sign_in credentials'));
  expect(answer).toMatchObject({ error: null, ok: true, status: 200, url: `${ORIGIN}/client-api?signed=in` });
  await expect(page).toHaveURL(`${ORIGIN}/client-api`, { timeout: 1000 });
  await expect(page.getByTestId('live')).toContainText(`Authenticated · ${user.name}`);
});

test('sign_in with redirect_to (redirectTo, and the deprecated callbackUrl) sends the browser there', async ({ page, request }) => {
  const user = newUser('client');
  await registerViaApi(request, user);
  await open(page, '/client-api');
  await fill(page, user);
  await page.getByRole('button', { name: 'sign_in credentials and redirect', exact: true }).click();
  await expect(page).toHaveURL(`${ORIGIN}/client-api?signed=in`);
  await expect(page.getByTestId('signed-in-as')).toHaveText(`Signed in as ${user.name}`);
});

test('sign_in email (signin(email)) sends a link and answers with the verify-request page', async ({ page }) => {
  await open(page, '/client-api');
  await page.getByLabel('Email').fill(newUser('client-mail').email);
  const answer = JSON.parse(await press(page, 'sign_in email'));
  expect(answer.error).toBeNull();
  expect(answer.url).toBe(`${ORIGIN}/api/auth/verify-request?provider=email&type=email`);
});

test('sign_in with authorization params (authorizationParams) passes them to the provider', async ({ page }) => {
  await open(page, '/client-api');
  const answer = JSON.parse(await press(page, 'sign_in oidc with authorization params'));
  const url = new URL(answer.url);
  expect(url.origin).toBe('http://127.0.0.1:3010');
  expect(url.searchParams.get('login_hint')).toBe('hint@example.com');
  expect(url.searchParams.get('prompt')).toBe('login');
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
});

test('sign_out with redirect: false (signOut, signout) resolves to a SignOutResponse and clears the signals', async ({ page }) => {
  await signedIn(page);
  const answer = JSON.parse(await press(page, 'sign_out'));
  expect(answer).toEqual({ url: `${ORIGIN}/client-api?signed=out` });
  await expect(page.getByTestId('live')).toContainText('Unauthenticated');
  expect(await (await page.request.get('/api/auth/session')).json()).toBeNull();
});

test('update(data) runs the jwt callback with trigger update and keeps the new session', async ({ page }) => {
  await signedIn(page);
  await page.getByLabel('New name').fill('Renamed Tester');
  const session = JSON.parse(await press(page, 'update'));
  expect(session.user.name).toBe('Renamed Tester');
  await expect(page.getByTestId('live')).toContainText('Authenticated · Renamed Tester');
  await expect(page.getByTestId('signed-in-as')).toHaveText('Signed in as Renamed Tester');
  const stored = await (await page.request.get('/api/auth/session')).json();
  expect(stored.user.name).toBe('Renamed Tester');
});

test('reload (init({force: true})) fetches the session again', async ({ page }) => {
  const user = await signedIn(page);
  const session = JSON.parse(await press(page, 'reload'));
  expect(session.user.email).toBe(user.email);
});

test('the required mode sends the account page to sign-in when another tab signs out', async ({ page, context }) => {
  const user = newUser('required');
  await registerViaApi(context.request, user);
  await open(page, '/account');
  await expect(page.getByRole('heading', { name: 'Your account' })).toBeVisible();

  const other = await context.newPage();
  await open(other, '/');
  await other.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await expect(other.getByTestId('signed-in-as')).toHaveCount(0);

  await page.bringToFront();
  await expect(page).toHaveURL(`${ORIGIN}/api/auth/signin?callbackUrl=%2Faccount`);
});
