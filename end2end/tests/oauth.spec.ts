// Sign-in through a real OpenID provider (npm `oidc-provider`, started by global-setup on
// 127.0.0.1:3010) with its development login and consent pages, as `oidc` (discovery, id_token)
// and as plain `oauth` (userinfo); linking and unlinking on the account page; the provider's
// "cancel". With JavaScript on and off.
import { expect, test, type Page } from '@playwright/test';
import { ORIGIN, confirmAddress, expectSignedIn, newUser, open, registerViaApi } from '../fixtures/auth';

const PROVIDER = 'http://127.0.0.1:3010';

/** A login the provider has not seen in this run. */
function newLogin(label: string): string {
  return `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

/** At the provider: log in as `login` and consent; ends back on the app. */
async function loginAtProvider(page: Page, login: string): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`^${PROVIDER}/interaction/`));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: /sign-in/i }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(new RegExp(`^${ORIGIN}/`));
}

function displayName(login: string): string {
  return login.replace(/^./, (c) => c.toUpperCase());
}

test('signing in with the OpenID provider creates the user and lands on the callbackUrl', async ({ page }) => {
  const login = newLogin('oidc');
  await open(page, '/api/auth/signin?callbackUrl=%2Fprotected');
  await page.getByRole('button', { name: 'Sign in with Test OpenID' }).click();
  await loginAtProvider(page, login);
  await expect(page).toHaveURL(`${ORIGIN}/protected`);
  await expect(page.getByRole('heading', { name: 'Protected page' })).toBeVisible();
  await expect(page.getByText(`${login}@example.com`)).toBeVisible();
  await expect(page.getByTestId('signed-in-as')).toHaveText(`Signed in as ${displayName(login)}`);

  // The server-rendered HTML knows the user too.
  const html = await (await page.request.get('/')).text();
  expect(html).toContain(`Signed in as <strong>${displayName(login)}`);
});

test('the plain OAuth client signs in through the userinfo endpoint', async ({ page }) => {
  const login = newLogin('oauth');
  await open(page, '/api/auth/signin');
  await page.getByRole('button', { name: 'Sign in with Test OAuth' }).click();
  await loginAtProvider(page, login);
  await expect(page).toHaveURL(`${ORIGIN}/`);
  await expect(page.getByTestId('signed-in-as')).toHaveText(`Signed in as ${displayName(login)}`);
});

test('a signed-in user links the provider on the account page, then unlinks it', async ({ page }) => {
  const user = newUser('linker');
  await registerViaApi(page.request, user);
  await open(page, '/account');
  const row = page.locator('li[data-provider="oidc"]');
  await expect(row).toContainText('not linked');
  await row.getByRole('button', { name: 'Link' }).click();
  await loginAtProvider(page, newLogin('linked'));
  await expect(page).toHaveURL(`${ORIGIN}/account`);
  await expect(page.locator('li[data-provider="oidc"]')).toContainText('linked');
  await expect(page.locator('li[data-provider="oidc"]')).not.toContainText('not linked');
  await expectSignedIn(page, user);

  await page.locator('li[data-provider="oidc"]').getByRole('button', { name: 'Unlink' }).click();
  await expect(page).toHaveURL(`${ORIGIN}/account`);
  await expect(page.locator('li[data-provider="oidc"]')).toContainText('not linked');
});

test('cancelling at the provider ends on the access denied page', async ({ page }) => {
  await open(page, '/api/auth/signin');
  await page.getByRole('button', { name: 'Sign in with Test OpenID' }).click();
  await expect(page).toHaveURL(new RegExp(`^${PROVIDER}/interaction/`));
  await page.getByRole('link', { name: /cancel/i }).click();
  await expect(page).toHaveURL(`${ORIGIN}/api/auth/error?error=AccessDenied`);
  await expect(page.getByText('You do not have permission to sign in.')).toBeVisible();
});

test('an email that already has an account is not linked by surprise', async ({ page }) => {
  const login = newLogin('taken');
  const email = `${login}@example.com`;
  // An account whose owner proved the address (registered, then confirmed by a link).
  await registerViaApi(page.request, { name: 'Someone', email, password: 'correct horse battery' });
  await confirmAddress(page, email);
  await page.context().clearCookies();
  await open(page, '/api/auth/signin');
  await page.getByRole('button', { name: 'Sign in with Test OpenID' }).click();
  await loginAtProvider(page, login);
  await expect(page).toHaveURL(/\/api\/auth\/signin\?error=OAuthAccountNotLinked/);
  await expect(page.getByText('To confirm your identity, sign in with the same account you used originally.')).toBeVisible();
});

test('an address someone registered without proving it is reclaimed by a provider that verified it', async ({ page, browser }, testInfo) => {
  const login = newLogin('squatted');
  const email = `${login}@example.com`;
  // A stranger registers the address with a password and stays signed in elsewhere.
  const stranger = await browser.newContext({ javaScriptEnabled: testInfo.project.name === 'js' });
  const strangerPage = await stranger.newPage();
  await registerViaApi(strangerPage.request, { name: 'Stranger', email, password: 'the strangers password' });
  // The owner signs in with the provider, which vouches for the address.
  await open(page, '/api/auth/signin?callbackUrl=%2Faccount');
  await page.getByRole('button', { name: 'Sign in with Test OpenID' }).click();
  await loginAtProvider(page, login);
  await expect(page).toHaveURL(`${ORIGIN}/account`);
  // The same account, with the provider's name instead of the stranger's.
  await expect(page.getByTestId('signed-in-as')).toHaveText(`Signed in as ${displayName(login)}`);
  // The stranger's session is over.
  await open(strangerPage, '/');
  await expect(strangerPage.getByTestId('signed-in-as')).toHaveCount(0);
  await stranger.close();
});
