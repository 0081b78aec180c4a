// Browser-test harness: a real stva-dev on a free port with a fresh data folder, API helpers
// to seed data as the manager, the local outbox, Debian chromium through playwright-core,
// screenshots and an axe-core accessibility check.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = resolve(here, '../..');
export const REPO_DIR = resolve(WEB_DIR, '..');
export const SCREENSHOT_DIR = join(REPO_DIR, 'test-artifacts', 'screenshots');

export const MANAGER_EMAIL = 'gestion@stva.test';
export const MANAGER_PASSWORD = 'Camion-Porte-Voitures-2026';
/** Password given to every seeded customer user. */
export const USER_PASSWORD = 'Transport-Lyon-Paris-42';

// ---------------------------------------------------------------- the server

export interface Portal {
  url: string;
  manager: ApiSession;
  stop: () => Promise<void>;
  /** What the server printed (for failure messages). */
  log: () => string;
}

export async function startPortal(): Promise<Portal> {
  const bin = process.env.STVA_DEV_BIN ?? join(REPO_DIR, 'target', 'debug', 'stva-dev');
  const dataDir = mkdtempSync(join(tmpdir(), 'stva-web-test-'));
  let output = '';
  const child: ChildProcess = spawn(
    bin,
    ['--port', '0', '--host', '127.0.0.1', '--data-dir', join(dataDir, 'data'), '--backend', 'embedded', '--web-dir', join(WEB_DIR, 'dist')],
    {
      env: {
        ...process.env,
        STVA_BOOTSTRAP_MANAGER_EMAIL: MANAGER_EMAIL,
        STVA_BOOTSTRAP_MANAGER_PASSWORD: MANAGER_PASSWORD,
        RUST_LOG: process.env.RUST_LOG ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));

  // The banner names the port the server picked (--port 0).
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`stva-dev did not start in 60 s:\n${output}`)), 60_000);
    const look = () => {
      const m = /Portail\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`stva-dev exited (${code}) before starting (binary ${bin}; build it with cargo build --locked -p dev-server):\n${output}`));
    });
    child.once('error', (e) => fail(new Error(`cannot run ${bin}: ${e.message}`)));
  });
  await waitForHealth(url);

  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise<void>((ok) => {
        const t = setTimeout(() => { child.kill('SIGKILL'); ok(); }, 5_000);
        child.once('exit', () => { clearTimeout(t); ok(); });
      });
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const manager = await ApiSession.signIn(url, MANAGER_EMAIL, MANAGER_PASSWORD);
    return { url, manager, stop, log: () => output };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function waitForHealth(url: string): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url}/api/health did not answer 200`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---------------------------------------------------------------- the API

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
}

/** Calls the API as one user (bearer token), failing loudly on unexpected statuses. */
export class ApiSession {
  constructor(readonly base: string, readonly token: string | null) {}

  static async signIn(base: string, email: string, password: string): Promise<ApiSession> {
    const anonymous = new ApiSession(base, null);
    const res = await anonymous.call('POST', '/api/auth/login', { email, password });
    if (res.status !== 200) throw new Error(`sign-in of ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    return new ApiSession(base, res.body.token);
  }

  async call<T = any>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (CSV, PDF)
    }
    return { status: res.status, body: parsed as T };
  }

  /** The call, which must answer `expected`; its body. */
  async expect<T = any>(expected: number, method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call<T>(method, path, body);
    if (res.status !== expected) {
      throw new Error(`${method} ${path}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body)}`);
    }
    return res.body;
  }
}

// ---------------------------------------------------------------- seeding

export interface Mail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  sent_at: string;
  attachments: { filename: string; content_type: string }[];
}

/** The local outbox, newest first (optionally only the mails to one address). */
export async function mails(portal: Portal, to?: string): Promise<Mail[]> {
  const res = await fetch(`${portal.url}/_dev/mail`);
  const all = (await res.json()) as Mail[];
  return to ? all.filter((m) => m.to === to) : all;
}

/** The first link of the newest mail to `to` whose path starts with `path`. */
export async function linkFromMail(portal: Portal, to: string, path: string): Promise<string> {
  for (const mail of await mails(portal, to)) {
    const m = new RegExp(`https?://[^\\s"<>]+${path.replace(/[/?]/g, '\\$&')}[^\\s"<>]*`).exec(mail.text);
    if (m) return m[0];
  }
  throw new Error(`no mail to ${to} with a link to ${path}`);
}

export async function createAccount(portal: Portal, name: string): Promise<{ id: string; name: string }> {
  return portal.manager.expect(201, 'POST', '/api/accounts', { name });
}

/** Invites a user as the manager and accepts the invitation through the API: a signed-in session. */
export async function createCustomer(
  portal: Portal,
  accountId: string,
  email: string,
  name: string,
  role: 'group' | 'member' = 'group',
): Promise<ApiSession> {
  await portal.manager.expect(201, 'POST', `/api/accounts/${accountId}/users`, { email, name, role });
  const link = await linkFromMail(portal, email, '/invitation?token=');
  const token = new URL(link).searchParams.get('token');
  await new ApiSession(portal.url, null).expect(200, 'POST', '/api/auth/invitations/accept', { token, name, password: USER_PASSWORD });
  return ApiSession.signIn(portal.url, email, USER_PASSWORD);
}

export async function addAddress(user: ApiSession, label: string, postalCode: string, city: string, street = '1 rue de la Gare'): Promise<{ id: string }> {
  return user.expect(201, 'POST', '/api/addresses', { label, street, postal_code: postalCode, city, contact_name: 'Accueil', contact_phone: '01 23 45 67 89' });
}

export async function addVehicle(user: ApiSession, make: string, model: string, plate: string): Promise<{ id: string }> {
  return user.expect(201, 'POST', '/api/vehicles', { make, model, plate });
}

/** Moves the ERP simulator on and runs the poll until the order is delivered. */
export async function deliver(portal: Portal, orderId: string): Promise<void> {
  for (let i = 0; i < 12; i++) {
    await portal.manager.expect(200, 'POST', '/_dev/erp/advance', { minutes: 600 });
    await portal.manager.expect(200, 'POST', '/_dev/run/status-poll', {});
    const order = await portal.manager.expect(200, 'GET', `/api/orders/${orderId}`);
    if (order.status === 'delivered') return;
  }
  throw new Error(`order ${orderId} was not delivered`);
}

/** Publishes a small PDF as the order's invoice, the way the manager's upload does. */
export async function publishInvoice(portal: Portal, orderId: string): Promise<void> {
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  const target = await portal.manager.expect(200, 'POST', `/api/orders/${orderId}/invoice/upload-url`, { content_type: 'application/pdf', size: pdf.length });
  const url = new URL(target.url, portal.url);
  const put = await fetch(url, { method: target.method, headers: target.headers, body: pdf });
  if (!put.ok) throw new Error(`invoice PUT: ${put.status} ${await put.text()}`);
  await portal.manager.expect(200, 'POST', `/api/orders/${orderId}/invoice`, { upload_id: target.upload_id });
}

// ---------------------------------------------------------------- the browser

export async function launchBrowser(): Promise<Browser> {
  // launch() gives every run a fresh temporary profile (user-data-dir).
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    args: ['--lang=fr-FR', '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export async function newPage(browser: Browser, portal: Portal, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: portal.url,
    viewport,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    acceptDownloads: true,
    // The portal's CSP forbids inline scripts; axe-core is injected as one.
    bypassCSP: true,
  });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  return { context, page };
}

/** Signs in through the sign-in page. */
export async function signInThroughUi(page: Page, email: string, password = USER_PASSWORD): Promise<void> {
  await page.goto('/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  // Signed in: the layout's main area shows a page title (the menu may be folded on phones).
  await page.locator('main.app-main h1').waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const require = createRequire(import.meta.url);
let axeSource: string | null = null;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe-core (WCAG 2.1 A and AA rules) and fails on serious or critical violations. */
export async function checkA11y(page: Page, screen: string): Promise<void> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  }) as AxeViolation[];
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    const report = bad
      .map((v) => `- [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n')}`)
      .join('\n');
    throw new Error(`accessibility violations on ${screen}:\n${report}`);
  }
}
