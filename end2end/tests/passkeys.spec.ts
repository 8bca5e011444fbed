// Passkeys (issue 14), Auth.js's WebAuthn provider, in Chromium with a virtual authenticator
// (the DevTools protocol's WebAuthn domain: a platform authenticator with resident keys and
// user verification). Browsers refuse an IP address as a relying party id, so these pages are
// opened on localhost. Sign-up, sign-out, sign-in (with the button and through the browser's
// autofill), a second passkey added from the account page, removal; the real
// `@simplewebauthn/browser` (the version Auth.js's client uses) against the server; and with
// JavaScript off, no passkey button anywhere and nothing broken.

import path from 'node:path';
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { ORIGIN, jsEnabled, newUser, open, registerViaApi } from '../fixtures/auth';

const LOCAL = ORIGIN.replace('127.0.0.1', 'localhost');
// The bundle Auth.js's client would load (`@auth/core` asks for @simplewebauthn/browser ^9).
const SIMPLEWEBAUTHN = path.join(__dirname, '..', '..', 'node_modules', '@simplewebauthn', 'browser', 'dist', 'bundle', 'index.es5.umd.min.js');

type Authenticator = { cdp: CDPSession; id: string };

async function addAuthenticator(page: Page, cdp?: CDPSession): Promise<Authenticator> {
  const session = cdp ?? (await page.context().newCDPSession(page));
  await session.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await session.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp: session, id: authenticatorId };
}

async function credentials(auth: Authenticator): Promise<number> {
  const { credentials } = await auth.cdp.send('WebAuthn.getCredentials', { authenticatorId: auth.id });
  return credentials.length;
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' })).toBeVisible();
}

async function session(page: Page): Promise<{ user?: { email?: string }; amr?: string[] } | null> {
  return page.evaluate(async () => (await fetch('/api/auth/session')).json());
}

test.describe('with JavaScript', () => {
  test.skip(() => !jsEnabled(), 'passkeys need JavaScript');

  test('sign up with a passkey, sign out, sign in with it, add a second and remove one', async ({ page }) => {
    // A browser without passkey autofill: every ceremony here starts from the button (the
    // virtual authenticator answers an autofill request at once; the next test has that).
    await page.addInitScript(() => {
      if (window.PublicKeyCredential) {
        (PublicKeyCredential as unknown as { isConditionalMediationAvailable: () => Promise<boolean> })
          .isConditionalMediationAvailable = async () => false;
      }
    });
    const email = newUser('passkey').email;
    const first = await addAuthenticator(page);
    await open(page, `${LOCAL}/api/auth/signin?callbackUrl=%2Faccount`);
    // An address no one has: the passkey signs up.
    await page.getByLabel('Email (to create a passkey)').fill(email);
    await page.getByTestId('passkey-signin').click();
    await expect(page).toHaveURL(`${LOCAL}/account`);
    await expect(page.getByTestId('signed-in-as')).toHaveText(`Signed in as ${email}`);
    expect(await credentials(first)).toBe(1);
    await expect(page.getByTestId('passkeys').locator('li')).toHaveCount(1);
    expect((await session(page))?.amr).toEqual(['hwk', 'mfa']);

    await signOut(page);
    // Signing in needs no address: the browser offers this site's passkey.
    await open(page, `${LOCAL}/api/auth/signin?callbackUrl=%2Faccount`);
    await page.getByTestId('passkey-signin').click();
    await expect(page).toHaveURL(`${LOCAL}/account`);
    await expect(page.getByTestId('signed-in-as')).toHaveText(`Signed in as ${email}`);
    await expect(page.getByTestId('passkeys')).toContainText('last used');

    // A second passkey, on another authenticator (the first would refuse a second credential).
    await first.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: first.id });
    const second = await addAuthenticator(page, first.cdp);
    await page.getByLabel('Name', { exact: true }).fill('Phone');
    await page.getByTestId('passkey-add').click();
    await expect(page.getByTestId('passkeys').locator('li')).toHaveCount(2);
    await expect(page.getByTestId('passkeys')).toContainText('Phone');
    expect(await credentials(second)).toBe(1);

    // Removing the first; the second still signs in.
    await page.getByTestId('passkeys').locator('li').first().getByRole('button', { name: 'Remove' }).click();
    await expect(page.getByTestId('passkeys').locator('li')).toHaveCount(1);
    // The last way in cannot be removed.
    await page.getByTestId('passkeys').locator('li').first().getByRole('button', { name: 'Remove' }).click();
    await expect(page.getByText('This is your only way to sign in')).toBeVisible();
    await expect(page.getByTestId('passkeys').locator('li')).toHaveCount(1);
    await signOut(page);
    await open(page, `${LOCAL}/api/auth/signin?callbackUrl=%2Faccount`);
    await page.getByTestId('passkey-signin').click();
    await expect(page.getByTestId('signed-in-as')).toHaveText(`Signed in as ${email}`);
  });

  test('the browser offers the passkey in the email field (autofill)', async ({ page }) => {
    const email = newUser('autofill').email;
    // Records how the page asks for credentials.
    await page.addInitScript(() => {
      const w = window as unknown as { mediations: string[] };
      w.mediations = [];
      const get = navigator.credentials.get.bind(navigator.credentials);
      navigator.credentials.get = (options?: CredentialRequestOptions) => {
        w.mediations.push(options?.mediation ?? 'modal');
        return get(options);
      };
    });
    await addAuthenticator(page);
    await open(page, `${LOCAL}/api/auth/signin?callbackUrl=%2Faccount`);
    await expect(page.getByLabel('Email (to create a passkey)')).toHaveAttribute('autocomplete', 'username webauthn');
    await page.getByLabel('Email (to create a passkey)').fill(email);
    await page.getByTestId('passkey-signin').click();
    await expect(page).toHaveURL(`${LOCAL}/account`);
    await signOut(page);

    // Opening the sign-in page is enough: it asks for a conditional request (`mediation:
    // "conditional"`, the email field's autofill), which the virtual authenticator answers as a
    // user picking the passkey there would; no button is clicked.
    await page.goto(`${LOCAL}/api/auth/signin?callbackUrl=%2Faccount`);
    await expect(page).toHaveURL(`${LOCAL}/account`);
    await expect(page.getByTestId('signed-in-as')).toHaveText(`Signed in as ${email}`);
    // The page moved without a full load: the record is the sign-in page's.
    expect(await page.evaluate(() => (window as unknown as { mediations: string[] }).mediations)).toEqual(['conditional']);
  });

  test('the real @simplewebauthn/browser registers and signs in against the server', async ({ page }) => {
    const email = newUser('simplewebauthn').email;
    await addAuthenticator(page);
    await open(page, `${LOCAL}/api/auth/signin`);
    await page.addScriptTag({ path: SIMPLEWEBAUTHN });
    const signUp = await page.evaluate(async (address) => {
      const lib = (window as unknown as { SimpleWebAuthnBrowser: any }).SimpleWebAuthnBrowser;
      const post = async (action: string, data: unknown) => {
        const { csrfToken } = await (await fetch('/api/auth/csrf')).json();
        const body = new URLSearchParams({ action, data: JSON.stringify(data), csrfToken, callbackUrl: '/account' });
        const res = await fetch('/api/auth/callback/passkey', {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Auth-Return-Redirect': '1' },
          body,
        });
        return (await res.json()).url as string;
      };
      const options = async (query: string) =>
        (await fetch(`/api/auth/webauthn-options/passkey${query}`)).json();
      const reg = await options(`?email=${encodeURIComponent(address)}`);
      const registered = await post(reg.action, await lib.startRegistration(reg.options));
      const afterSignUp = await (await fetch('/api/auth/session')).json();
      const { csrfToken } = await (await fetch('/api/auth/csrf')).json();
      await fetch('/api/auth/signout', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Auth-Return-Redirect': '1' },
        body: new URLSearchParams({ csrfToken }),
      });
      const signedOut = await (await fetch('/api/auth/session')).json();
      const auth = await options('?action=authenticate');
      const signedIn = await post(auth.action, await lib.startAuthentication(auth.options));
      const afterSignIn = await (await fetch('/api/auth/session')).json();
      return { action: reg.action, registered, afterSignUp, signedOut, authAction: auth.action, signedIn, afterSignIn };
    }, email);
    expect(signUp.action).toBe('register');
    expect(signUp.registered).toBe(`${LOCAL}/account`);
    expect(signUp.afterSignUp?.user?.email).toBe(email);
    expect(signUp.signedOut).toBeNull();
    expect(signUp.authAction).toBe('authenticate');
    expect(signUp.signedIn).toBe(`${LOCAL}/account`);
    expect(signUp.afterSignIn?.user?.email).toBe(email);
  });

  test('a cancelled ceremony says so and signs nothing in', async ({ page }) => {
    const auth = await addAuthenticator(page);
    await auth.cdp.send('WebAuthn.setUserVerified', { authenticatorId: auth.id, isUserVerified: false });
    await auth.cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: auth.id, enabled: false });
    await open(page, `${LOCAL}/api/auth/signin`);
    const form = page.locator('form[data-passkey-form]');
    await form.evaluate((el) => {
      // A short timeout, as a user who walks away.
      const original = navigator.credentials.get.bind(navigator.credentials);
      navigator.credentials.get = (options?: CredentialRequestOptions) => {
        if (options?.publicKey && options.mediation !== 'conditional') options.publicKey.timeout = 1000;
        return original(options);
      };
      void el;
    });
    await page.getByTestId('passkey-signin').click();
    await expect(form.locator('[data-passkey-message]')).toContainText('cancelled or timed out', { timeout: 20_000 });
    expect(await session(page)).toBeNull();
  });
});

test('without JavaScript there is no passkey button, and the pages work', async ({ page }) => {
  test.skip(jsEnabled(), 'the no-JavaScript page');
  await open(page, `${LOCAL}/api/auth/signin`);
  await expect(page.getByTestId('passkey-signin')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Sign in with Credentials' })).toBeVisible();
  const user = newUser('nojs-passkey');
  await registerViaApi(page.request, user);
  await page.goto('/account');
  await expect(page.getByTestId('passkeys-none')).toBeVisible();
  await expect(page.getByTestId('passkey-add')).toHaveCount(0);
});
