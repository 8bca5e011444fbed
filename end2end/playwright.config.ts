import { defineConfig, devices } from '@playwright/test';

// End-to-end tests against the real server that `cargo leptos end-to-end` starts on
// 127.0.0.1:3000 (DESIGN.md section 13). Debian's Chromium, never a downloaded browser, with the
// flags that keep it off the network. Every flow runs with JavaScript on (`js`, the hydrated,
// enhanced path) and off (`no-js`, plain HTML forms).
const baseURL = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  testDir: './tests',
  globalSetup: './fixtures/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: 'list',
  use: {
    baseURL,
    headless: true,
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [
    {
      name: 'js',
      use: { ...devices['Desktop Chrome'], javaScriptEnabled: true },
    },
    {
      name: 'no-js',
      use: { ...devices['Desktop Chrome'], javaScriptEnabled: false },
    },
  ],
});
