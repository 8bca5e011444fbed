// Sign-in links by email through a real SMTP server (npm `smtp-server`, started by global-setup
// on 127.0.0.1:2525, read back through its API on 2580). With JavaScript on and off.
import { expect, test, type Page } from '@playwright/test';
import { ORIGIN, csrfToken, linkFor, open } from '../fixtures/auth';

function newAddress(label: string): string {
  return `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}@example.com`;
}

async function askForLink(page: Page, address: string): Promise<void> {
  await page.getByLabel('Email address', { exact: true }).fill(address);
  await page.getByRole('button', { name: 'Sign in with Email' }).click();
}

test('a sign-in link arrives by email and signs the user in', async ({ page }) => {
  const address = newAddress('magic');
  await open(page, '/api/auth/signin?callbackUrl=%2Fprotected');
  await askForLink(page, address);
  await expect(page).toHaveURL(`${ORIGIN}/api/auth/verify-request?provider=email&type=email`);
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();

  const link = await linkFor(address);
  expect(link.startsWith(`${ORIGIN}/api/auth/callback/email?`)).toBe(true);
  await page.goto(link);
  await expect(page).toHaveURL(`${ORIGIN}/protected`);
  await expect(page.getByTestId('signed-in-as')).toHaveText(`Signed in as ${address}`);

  // The link works once.
  await page.goto(link);
  await expect(page).toHaveURL(`${ORIGIN}/api/auth/error?error=Verification`);
  await expect(page.getByText('The sign in link is no longer valid.')).toBeVisible();
});

test('an address that is not one gets a clear message on the form', async ({ page }) => {
  await open(page, '/api/auth/signin');
  // `a@b` passes the browser's own check but not the server's.
  await askForLink(page, 'a@b');
  await expect(page.getByRole('alert')).toHaveText('Enter a valid email address.');
  await expect(page.getByTestId('signed-in-as')).toHaveCount(0);
});

test('a link from the mailbox reclaims an address someone registered with a password', async ({ page, browser }, testInfo) => {
  const address = newAddress('reclaimed');
  // A stranger registers the address (nobody proved it) and is signed in with it.
  const stranger = await browser.newContext({ javaScriptEnabled: testInfo.project.name === 'js' });
  const strangerPage = await stranger.newPage();
  const password = 'the strangers password';
  const register = await strangerPage.request.post('/api/register', {
    form: { csrfToken: await csrfToken(strangerPage.request), name: 'Stranger', email: address, password, callbackUrl: '/' },
    maxRedirects: 0,
  });
  expect(register.status()).toBe(302);
  await open(strangerPage, '/');
  await expect(strangerPage.getByTestId('signed-in-as')).toHaveText('Signed in as Stranger');

  // The owner of the mailbox signs in with a link.
  await open(page, '/api/auth/signin');
  await askForLink(page, address);
  await page.goto(await linkFor(address));
  // Signed in to the reclaimed account: the stranger's name is gone with the rest.
  await expect(page.getByTestId('signed-in-as')).toHaveText(`Signed in as ${address}`);

  // What the stranger set up is gone: their session and their password too.
  await open(strangerPage, '/');
  await expect(strangerPage.getByTestId('signed-in-as')).toHaveCount(0);
  const retry = await strangerPage.request.post('/api/auth/callback/credentials', {
    form: { csrfToken: await csrfToken(strangerPage.request), email: address, password },
    maxRedirects: 0,
  });
  expect(retry.headers()['location']).toContain('error=CredentialsSignin');
  await stranger.close();
});
