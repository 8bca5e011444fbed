import { expect, test } from '@playwright/test';
import {
  ORIGIN,
  expectSignedIn,
  expectSignedOut,
  jsEnabled,
  newUser,
  open,
  registerViaApi,
  sessionOf,
  submitRegistration,
} from '../fixtures/auth';

test.describe('registration', () => {
  test('a new account is signed in and lands on the callbackUrl with its name in the nav', async ({ page }) => {
    const user = newUser('register');
    await open(page, '/register?callbackUrl=/protected');
    await expect(page.getByRole('heading', { name: 'Create an account' })).toBeVisible();
    await expectSignedOut(page);

    await submitRegistration(page, user);

    await expect(page).toHaveURL(`${ORIGIN}/protected`);
    await expect(page.getByRole('heading', { name: 'Protected page' })).toBeVisible();
    await expectSignedIn(page, user);
    expect(await sessionOf(page.request)).toMatchObject({ user: { name: user.name, email: user.email } });
  });

  test('without a callbackUrl a new account lands on the home page', async ({ page }) => {
    const user = newUser('register');
    await open(page, '/register');
    await submitRegistration(page, user);

    await expect(page).toHaveURL(`${ORIGIN}/`);
    await expect(page.locator('p.status')).toHaveText(`You are signed in as ${user.name}.`);
    await expectSignedIn(page, user);
  });

  test('a taken email says the account exists and keeps the typed name and email', async ({ page, request }) => {
    const existing = newUser('taken');
    await registerViaApi(request, existing);
    const again = { ...newUser('taken'), email: existing.email };

    await open(page, '/register');
    await submitRegistration(page, again);

    await expect(page.getByRole('alert')).toHaveText(
      'An account with this email address already exists. Sign in instead.',
    );
    await expect(page).toHaveURL(
      (url) => url.pathname === '/register' && url.searchParams.get('error') === 'EmailTaken',
    );
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue(again.name);
    await expect(page.getByLabel('Email', { exact: true })).toHaveValue(existing.email);
    if (!jsEnabled()) {
      // The server refills the name and email, never the password.
      await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
      expect(await page.content()).not.toContain(again.password);
    }
    await expectSignedOut(page);
    expect(await sessionOf(page.request)).toBeNull();
  });

  test('an email address without a proper domain asks for a valid email address', async ({ page }) => {
    // `user@localhost` passes the browser's type=email check; the server wants a dotted domain.
    const user = { ...newUser('invalid'), email: `invalid-${Date.now()}@localhost` };
    await open(page, '/register');
    await submitRegistration(page, user);

    await expect(page.getByRole('alert')).toHaveText('Enter a valid email address.');
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue(user.name);
    await expect(page.getByLabel('Email', { exact: true })).toHaveValue(user.email);
    await expectSignedOut(page);
  });

  test('a short password is refused by the server even when the browser does not check it', async ({ page }) => {
    const user = { ...newUser('weak'), password: 'short' };
    await open(page, '/register');
    // The browser's minlength check would block the form; a server must not rely on it.
    await page.locator('form[action="/api/register"]').evaluate((form: HTMLFormElement) => {
      form.noValidate = true;
    });
    await submitRegistration(page, user);

    await expect(page.getByRole('alert')).toHaveText('Use a password of 12 to 128 characters.');
    await expect(page.getByLabel('Email', { exact: true })).toHaveValue(user.email);
    await expectSignedOut(page);
    expect(await sessionOf(page.request)).toBeNull();
  });

  test('the browser itself asks for the missing fields before anything is sent', async ({ page }) => {
    await open(page, '/register');
    let posted = false;
    page.on('request', (req) => {
      if (req.method() === 'POST') posted = true;
    });
    await page.getByRole('button', { name: 'Create account' }).click();
    const missing = await page
      .getByLabel('Name', { exact: true })
      .evaluate((input: HTMLInputElement) => input.validity.valueMissing);
    expect(missing).toBe(true);
    await page.waitForTimeout(300);
    expect(posted).toBe(false);
    await expect(page).toHaveURL(`${ORIGIN}/register`);
  });

  test('after a refused form, correcting the email creates the account', async ({ page, request }) => {
    const existing = newUser('taken');
    await registerViaApi(request, existing);
    const user = newUser('retry');

    await open(page, '/register?callbackUrl=%2Fprotected');
    await submitRegistration(page, { ...user, email: existing.email });
    await expect(page.getByRole('alert')).toContainText('already exists');

    await submitRegistration(page, user);

    await expect(page).toHaveURL(`${ORIGIN}/protected`);
    await expectSignedIn(page, user);
    await expect(page.getByText(`Your email: ${user.email}`)).toBeVisible();
  });
});
