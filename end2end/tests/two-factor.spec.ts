// Two-step verification (issue 14): an authenticator app turned on from the account page (QR
// code and secret, a first code, ten recovery codes shown once), then every password sign-in
// asks for a code; a wrong, reused or used-up code is refused; a recovery code works once.
// The codes are computed here from the secret the page shows, as an authenticator app would
// (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits). JavaScript on and off.

import { createHmac } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import {
  ORIGIN,
  expectSignedIn,
  expectSignedOut,
  newUser,
  open,
  registerViaApi,
  submitSignIn,
  type User,
} from '../fixtures/auth';

function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The code an authenticator app shows for `secret` at `at` (milliseconds). */
function totp(secret: string, at = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

const INVALID = 'That code is not valid. Enter the current code from your authenticator app, or one of your recovery codes.';

/** Registers `user`, signed in in this browser, and turns the factor on from the account page. */
async function enrol(page: Page, user: User): Promise<{ secret: string; codes: string[] }> {
  await registerViaApi(page.request, user);
  await open(page, '/account');
  await expect(page.getByTestId('two-factor-state')).toHaveText('Off. Add a code from an authenticator app to every sign-in.');
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expect(page.locator('.qr svg')).toBeVisible();
  await page.getByLabel('Code').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByTestId('recovery-codes').locator('code')).toHaveCount(10);
  const codes = await page.getByTestId('recovery-codes').locator('code').allTextContents();
  expect(codes).toHaveLength(10);
  await expect(page.getByTestId('two-factor-state')).toHaveText('On. 10 recovery codes left.');
  // Shown once.
  await open(page, '/account');
  await expect(page.getByTestId('recovery-codes')).toHaveCount(0);
  return { secret, codes };
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await expectSignedOut(page);
}

/** The password step: ends on the second-step page, signed in to nothing. */
async function password(page: Page, user: User): Promise<void> {
  await open(page, '/api/auth/signin');
  await submitSignIn(page, user.email, user.password);
  await expect(page).toHaveURL(`${ORIGIN}/api/auth/two-factor`);
  await expect(page.getByRole('heading', { name: 'Two-step verification' })).toBeVisible();
  await expectSignedOut(page);
}

async function enterCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
}

test('an authenticator app turned on from the account page is asked for at every sign-in', async ({ page }) => {
  const user = newUser('totp');
  const { secret } = await enrol(page, user);
  await signOut(page);

  await password(page, user);
  await enterCode(page, '12345');
  await expect(page.getByRole('alert')).toHaveText(INVALID);
  await expectSignedOut(page);

  // The first code went into turning it on: the app's next one.
  await enterCode(page, totp(secret, Date.now() + 30_000));
  await expect(page).toHaveURL(`${ORIGIN}/`);
  await expectSignedIn(page, user);
  const session = await (await page.request.get('/api/auth/session')).json();
  expect(session.amr).toEqual(['pwd', 'otp', 'mfa']);
});

test('a code works once, and so does each recovery code', async ({ page }) => {
  const user = newUser('totp');
  const { secret, codes } = await enrol(page, user);
  const code = totp(secret, Date.now() + 30_000);
  await signOut(page);
  await password(page, user);
  await enterCode(page, code);
  await expectSignedIn(page, user);
  await signOut(page);

  // The same code again: refused.
  await password(page, user);
  await enterCode(page, code);
  await expect(page.getByRole('alert')).toHaveText(INVALID);
  await expectSignedOut(page);

  // A recovery code instead: once.
  await enterCode(page, codes[0]);
  await expect(page).toHaveURL(`${ORIGIN}/`);
  await expectSignedIn(page, user);
  await signOut(page);
  await password(page, user);
  await enterCode(page, codes[0]);
  await expect(page.getByRole('alert')).toHaveText(INVALID);
  await expectSignedOut(page);

  // And the account page counts what is left, and turns it off with a code.
  await enterCode(page, codes[1]);
  await expectSignedIn(page, user);
  await open(page, '/account');
  await expect(page.getByTestId('two-factor-state')).toHaveText('On. 8 recovery codes left.');
  await page.getByLabel('Code').fill(codes[2]);
  await page.getByRole('button', { name: 'Turn off' }).click();
  await expect(page.getByTestId('two-factor-state')).toHaveText('Off. Add a code from an authenticator app to every sign-in.');
  await signOut(page);
  await open(page, '/api/auth/signin');
  await submitSignIn(page, user.email, user.password);
  await expect(page).toHaveURL(`${ORIGIN}/`);
  await expectSignedIn(page, user);
});
