// Sign-in links by email through a real SMTP server (npm `smtp-server`, started by global-setup
// on 127.0.0.1:2525, read back through its API on 2580). With JavaScript on and off.
import { expect, test, type Page } from '@playwright/test';
import { ORIGIN, open } from '../fixtures/auth';

const MAILBOX = 'http://127.0.0.1:2580/messages';

function newAddress(label: string): string {
  return `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}@example.com`;
}

/** The sign-in link the SMTP server received for `address` (waits for it). */
async function linkFor(address: string): Promise<string> {
  let text = '';
  await expect
    .poll(async () => {
      const messages = (await (await fetch(`${MAILBOX}?to=${encodeURIComponent(address)}`)).json()) as Array<{ text: string }>;
      text = messages[0]?.text ?? '';
      return text;
    })
    .toContain('http');
  const link = text.split(/\s+/).find((word) => word.startsWith('http'));
  if (!link) throw new Error(`no link in: ${text}`);
  return link;
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
