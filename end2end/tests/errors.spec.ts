import { expect, test } from '@playwright/test';
import { open } from '../fixtures/auth';

const PAGES: { code: string; status: number; message: string }[] = [
  {
    code: 'Configuration',
    status: 500,
    message: 'There is a problem with the server configuration. Check the server logs for more information.',
  },
  { code: 'AccessDenied', status: 403, message: 'You do not have permission to sign in.' },
  {
    code: 'Verification',
    status: 403,
    message: 'The sign in link is no longer valid. It may have been used already or it may have expired.',
  },
  { code: 'MissingCSRF', status: 200, message: 'The form expired. Please try again.' },
  { code: 'CredentialsSignin', status: 200, message: 'Sign in failed. Check the details you provided are correct.' },
  { code: 'Default', status: 200, message: 'Unable to sign in.' },
];

test.describe('the error page', () => {
  for (const { code, status, message } of PAGES) {
    test(`error=${code} answers ${status} and says "${message}"`, async ({ page }) => {
      const res = await open(page, `/api/auth/error?error=${code}`);
      expect(res?.status()).toBe(status);
      await expect(page.getByRole('alert')).toHaveText(message);
      await expect(page.getByRole('main').getByRole('link', { name: 'Sign in' })).toBeVisible();
    });
  }

  test('without a code it says "Unable to sign in."', async ({ page }) => {
    const res = await open(page, '/api/auth/error');
    expect(res?.status()).toBe(200);
    await expect(page.getByRole('alert')).toHaveText('Unable to sign in.');
  });

  test('an unknown code says "Unable to sign in." and is never echoed', async ({ page }) => {
    const raw = '<img src=x onerror=alert(7)>Zebra42';
    const res = await open(page, `/api/auth/error?error=${encodeURIComponent(raw)}`);
    expect(res?.status()).toBe(200);
    await expect(page.getByRole('alert')).toHaveText('Unable to sign in.');
    const html = (await res?.text()) ?? '';
    expect(html).not.toContain('Zebra42');
    expect(html).not.toContain('onerror');
    await expect(page.getByText('Zebra42')).toHaveCount(0);
  });
});

test.describe('sign-in page messages', () => {
  test('error=MissingCSRF says the form expired', async ({ page }) => {
    await open(page, '/api/auth/signin?error=MissingCSRF');
    await expect(page.getByRole('alert')).toHaveText('The form expired. Please try again.');
  });

  test('an unknown error code says "Unable to sign in." and is never echoed', async ({ page }) => {
    const raw = '<b>Quokka99</b>';
    const res = await open(page, `/api/auth/signin?error=${encodeURIComponent(raw)}`);
    expect(res?.status()).toBe(200);
    await expect(page.getByRole('alert')).toHaveText('Unable to sign in.');
    expect((await res?.text()) ?? '').not.toContain('Quokka99');
  });
});

test.describe('unknown pages', () => {
  test('an unknown page answers 404 with "Page not found"', async ({ page }) => {
    const res = await open(page, '/no-such-page');
    expect(res?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  });
});
