// The manager's screens in a real browser against a real stva-dev: accounts and
// invitations (with field errors), the stock connection, all orders, and the invoice
// upload (file checks, drag and drop, progress bar) down to the customer's download.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  ApiSession, MANAGER_EMAIL, MANAGER_PASSWORD, USER_PASSWORD, addAddress, addVehicle, checkA11y, deliver,
  launchBrowser, linkFromMail, mails, newPage, screenshot, signInThroughUi, startPortal, type Portal,
} from './harness';

const GROUP_EMAIL = 'paul@garage-dupont.fr';
const PLATE = 'GH-456-JK';

let portal: Portal;
let browser: Browser;
let page: Page;
/** Filled as the scenario goes: each test builds on the previous one. */
const state: { accountId?: string; orderId?: string; orderNumber?: string } = {};

beforeAll(async () => {
  portal = await startPortal();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, portal));
  await signInThroughUi(page, MANAGER_EMAIL, MANAGER_PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

/** The message shown under a labelled field, found through its aria-describedby. */
async function errorOf(page: Page, label: string | RegExp): Promise<string> {
  const input = typeof label === 'string' ? page.getByLabel(label, { exact: true }) : page.getByLabel(label);
  await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
  const ids = (await input.getAttribute('aria-describedby')) ?? '';
  const texts = await Promise.all(ids.split(' ').map((id) => page.locator(`[id="${id}"]`).innerText()));
  return texts.join(' ');
}

/** A PDF of about `size` bytes (real header, padded body). */
function pdfOfSize(size: number): Buffer {
  const head = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%');
  const tail = Buffer.from('\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length - tail.length), 'x'), tail]);
}

describe('manager screens', () => {
  it('creates an account, with field errors next to the fields', async () => {
    await page.getByRole('link', { name: 'Comptes clients' }).click();
    await page.getByRole('heading', { name: 'Comptes clients', level: 1 }).waitFor();
    // No account yet: the empty state, and the creation form already open.
    await page.getByText("Aucun compte client pour l'instant.").waitFor();
    await checkA11y(page, 'manager accounts (empty)');

    await page.getByLabel('Raison sociale').fill('Garage Dupont');
    await page.getByLabel('SIRET').fill('12345678901234');
    await page.getByLabel('E-mail de facturation').fill('compta@');
    await page.getByRole('button', { name: 'Créer le compte' }).click();
    expect(await errorOf(page, 'SIRET')).toContain("Ce SIRET n'est pas valide");
    expect(await errorOf(page, 'E-mail de facturation')).toContain('@');
    await checkA11y(page, 'manager account creation with errors');

    await page.getByLabel('SIRET').fill('732 829 320 00074');
    await page.getByLabel('E-mail de facturation').fill('compta@garage-dupont.fr');
    await page.getByRole('button', { name: 'Créer le compte' }).click();
    await page.getByRole('heading', { name: 'Garage Dupont', level: 1 }).waitFor();
    await page.getByText('Compte créé.').waitFor();
    state.accountId = /\/gestion\/comptes\/([^/]+)$/.exec(new URL(page.url()).pathname)![1];
    await page.getByText('73282932000074').waitFor();
  });

  it('invites a group user into the account', async () => {
    await page.getByText('Aucun utilisateur dans ce compte.').waitFor();
    await page.getByLabel(/^Nom/).fill('Paul Dupont');
    await page.getByLabel(/^E-mail/).fill('paul@');
    await page.getByRole('button', { name: "Envoyer l'invitation", exact: true }).click();
    expect(await errorOf(page, /^E-mail/)).toContain('@');

    await page.getByLabel(/^E-mail/).fill(GROUP_EMAIL);
    await page.getByLabel('Rôle').selectOption('group');
    await page.getByRole('button', { name: "Envoyer l'invitation", exact: true }).click();
    await page.getByText(`Invitation envoyée à ${GROUP_EMAIL}`).waitFor();
    const row = page.getByRole('row').filter({ hasText: GROUP_EMAIL });
    await expect.poll(() => row.innerText()).toMatch(/Utilisateur groupe[\s\S]*Invitation en attente/);
    expect((await mails(portal, GROUP_EMAIL)).length).toBe(1);

    // Resending the pending invitation e-mails a fresh link.
    await row.getByRole('button', { name: "Renvoyer l'invitation à Paul Dupont" }).click();
    await page.getByText(`Nouvelle invitation envoyée à ${GROUP_EMAIL}.`).waitFor();
    expect((await mails(portal, GROUP_EMAIL)).length).toBe(2);
    // A member invited by mistake is disabled (asked twice).
    await page.getByLabel(/^Nom/).fill('Léa Martin');
    await page.getByLabel(/^E-mail/).fill('lea@garage-dupont.fr');
    await page.getByLabel('Rôle').selectOption('member');
    await page.getByRole('button', { name: "Envoyer l'invitation", exact: true }).click();
    await page.getByText('Invitation envoyée à lea@garage-dupont.fr').waitFor();
    const lea = page.getByRole('row').filter({ hasText: 'lea@garage-dupont.fr' });
    await lea.getByRole('button', { name: 'Désactiver Léa Martin' }).click();
    await lea.getByRole('button', { name: 'Confirmer la désactivation de Léa Martin' }).click();
    await page.getByText('Léa Martin est désactivé').waitFor();
    await expect.poll(() => lea.innerText()).toMatch(/Membre[\s\S]*Désactivé/);
    await screenshot(page, 'manager-account');
    await checkA11y(page, 'manager account detail');

    await page.getByRole('link', { name: '← Comptes clients' }).click();
    const accountRow = page.getByRole('row').filter({ hasText: 'Garage Dupont' });
    await expect.poll(() => accountRow.innerText()).toContain('1 invitation en attente');
    await screenshot(page, 'manager-accounts');
    await checkA11y(page, 'manager accounts');
  });

  it('configures the stock connection; the secret is write-only', async () => {
    await page.goto(`/gestion/comptes/${state.accountId}/stock`);
    await page.getByRole('heading', { name: 'Connexion de stock', level: 1 }).waitFor();
    await page.getByText("Aucune connexion n'est configurée").waitFor();
    await page.getByLabel('Outil', { exact: true }).selectOption('planetvo');
    await page.getByLabel(/^Adresse du flux/).fill('ftp://exports.planetvo.example/stock.csv');
    await page.getByRole('button', { name: 'Enregistrer la connexion' }).click();
    expect(await errorOf(page, /^Adresse du flux/)).toContain('http');

    await page.getByLabel(/^Adresse du flux/).fill('https://exports.planetvo.example/dupont/stock.csv');
    await page.getByLabel('Identifiant').fill('dupont');
    await page.getByLabel('Mot de passe').fill('secret-du-flux');
    await page.getByRole('button', { name: 'Enregistrer la connexion' }).click();
    await page.getByText('Connexion enregistrée.').waitFor();

    // Stored as the API's feed connector with the PlanetVO preset; the password never comes back.
    const stored = await portal.manager.expect(200, 'GET', `/api/stock/connection?account_id=${state.accountId}`);
    expect(stored.provider).toBe('feed');
    expect(stored.settings.preset).toBe('planetvo');
    expect(stored.settings.password).toEqual({ configured: true });

    await page.reload();
    await expect.poll(() => page.getByLabel('Outil', { exact: true }).inputValue()).toBe('planetvo');
    expect(await page.getByLabel('Mot de passe').inputValue()).toBe('');
    await page.getByText(/^Défini\./).waitFor();
    await screenshot(page, 'manager-stock-connection');
    await checkA11y(page, 'manager stock connection');
  });

  it('configures RadarVO and a generic CSV feed with its columns', async () => {
    await page.getByLabel('Outil', { exact: true }).selectOption('radarvo');
    await page.getByLabel(/^Adresse de l'API RadarVO/).fill('https://api.radarvo.example');
    await page.getByLabel(/^Clé API/).fill('rv-cle-secrete');
    await page.getByRole('button', { name: 'Enregistrer la connexion' }).click();
    await page.getByText('Connexion enregistrée.').waitFor();
    const radarvo = await portal.manager.expect(200, 'GET', `/api/stock/connection?account_id=${state.accountId}`);
    expect(radarvo.provider).toBe('radarvo');
    expect(radarvo.settings.api_key).toEqual({ configured: true });
    // The API replaces the whole connection: saving again without the key is refused here, in French.
    await page.getByRole('button', { name: 'Enregistrer la connexion' }).click();
    expect(await errorOf(page, /^Clé API/)).toContain('ressaisissez-la');

    await page.getByLabel('Outil', { exact: true }).selectOption('csv_feed');
    await page.getByLabel(/^Adresse du flux/).fill('https://dupont.example/stock.csv');
    await page.getByRole('button', { name: 'Enregistrer la connexion' }).click();
    expect(await errorOf(page, /^Colonne de la marque/)).toContain('marque');
    // The identifier kept from PlanetVO needs its password: refused before sending.
    expect(await errorOf(page, 'Mot de passe')).toContain('identifiant');
    await page.getByLabel('Identifiant').fill('');
    await page.getByLabel('Séparateur').fill(';');
    await page.getByLabel(/^Colonne de la marque/).fill('Marque');
    await page.getByLabel(/^Colonne du modèle/).fill('Modèle, Modele');
    await page.getByLabel("Colonne de l'immatriculation").fill('Immat');
    await page.getByRole('button', { name: 'Enregistrer la connexion' }).click();
    await page.getByText('Connexion enregistrée.').waitFor();
    const feed = await portal.manager.expect(200, 'GET', `/api/stock/connection?account_id=${state.accountId}`);
    expect(feed.provider).toBe('feed');
    expect(feed.settings.mapping).toMatchObject({
      source: 'csv_feed',
      format: { type: 'csv', separator: ';' },
      fields: { make: ['Marque'], model: ['Modèle', 'Modele'], plate: ['Immat'] },
    });
    await checkA11y(page, 'manager stock connection (CSV feed)');
  });

  it('invites another manager', async () => {
    await page.getByRole('link', { name: 'Gestionnaires' }).click();
    await page.getByRole('heading', { name: 'Gestionnaires', level: 1 }).waitFor();
    await page.getByLabel(/^Nom/).fill('Marie Lefèvre');
    await page.getByLabel(/^E-mail/).fill('marie.lefevre');
    await page.getByRole('button', { name: "Envoyer l'invitation", exact: true }).click();
    expect(await errorOf(page, /^E-mail/)).toContain('@');
    await page.getByLabel(/^E-mail/).fill('marie.lefevre@stva.fr');
    await page.getByRole('button', { name: "Envoyer l'invitation", exact: true }).click();
    await page.getByText('Invitation envoyée à Marie Lefèvre (marie.lefevre@stva.fr).').waitFor();
    expect((await mails(portal, 'marie.lefevre@stva.fr')).length).toBe(1);
    await checkA11y(page, 'manager invite manager');
  });

  it('lists all orders, filters them, and opens one', async () => {
    // The invited group user accepts, then orders as a customer does (quote, validate).
    const link = await linkFromMail(portal, GROUP_EMAIL, '/invitation?token=');
    const token = new URL(link).searchParams.get('token');
    await new ApiSession(portal.url, null).expect(200, 'POST', '/api/auth/invitations/accept', { token, name: 'Paul Dupont', password: USER_PASSWORD });
    const customer = await ApiSession.signIn(portal.url, GROUP_EMAIL, USER_PASSWORD);
    const pickup = await addAddress(customer, 'Dépôt Lyon', '69007', 'Lyon');
    const delivery = await addAddress(customer, 'Agence Paris', '75012', 'Paris');
    const vehicle = await addVehicle(customer, 'Renault', 'Clio', PLATE);
    const quoted = await customer.expect(201, 'POST', '/api/quotes', {
      vehicles: [{ vehicle_id: vehicle.id, make: 'Renault', model: 'Clio', plate: PLATE }],
      pickup_address_id: pickup.id,
      delivery_address_id: delivery.id,
      customer_reference: 'DUP-2026-17',
    });
    await customer.expect(200, 'POST', `/api/orders/${quoted.id}/validate`, { accept_terms: true });
    state.orderId = quoted.id;
    state.orderNumber = quoted.number;

    await page.getByRole('link', { name: 'Toutes les commandes' }).click();
    const orderLink = page.getByRole('link', { name: quoted.number });
    await orderLink.waitFor();
    const row = page.getByRole('row').filter({ has: orderLink });
    expect(await row.innerText()).toMatch(/Garage Dupont[\s\S]*Lyon → Paris[\s\S]*GH-456-JK/);
    await screenshot(page, 'manager-orders');
    await checkA11y(page, 'manager orders');

    // The search goes in the URL; a search by plate keeps the order.
    await page.getByLabel('Rechercher', { exact: true }).fill(PLATE);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe(PLATE);
    await orderLink.waitFor();
    // Nothing needs attention yet (confirmed, no invoice due): the filtered empty state.
    await page.getByLabel('Seulement les commandes à traiter').check();
    await page.getByText('Aucune commande ne correspond à ces filtres.').waitFor();
    await checkA11y(page, 'manager orders (filtered, empty)');
    await page.getByLabel('Seulement les commandes à traiter').uncheck();
    await expect.poll(() => new URL(page.url()).searchParams.get('attention')).toBeNull();

    await orderLink.click();
    await page.getByRole('heading', { name: `Commande ${quoted.number}`, level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/commandes/${quoted.id}`);
  });

  it('refuses a non-PDF or too large file before any upload', async () => {
    const input = page.locator('input[type="file"]');
    await input.setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from('not a pdf') });
    await page.getByText("« photo.png » n'est pas un PDF").waitFor();
    await input.setInputFiles({ name: 'facture-enorme.pdf', mimeType: 'application/pdf', buffer: pdfOfSize(10 * 1024 * 1024 + 1) });
    await page.getByText('la facture ne doit pas dépasser 10 Mo').waitFor();
    await input.setInputFiles({ name: 'image-renommee.pdf', mimeType: 'application/pdf', buffer: Buffer.from('GIF89a...') });
    await page.getByText('ne semble pas être un vrai PDF').waitFor();
    expect(await page.getByRole('button', { name: 'Publier la facture' }).isDisabled()).toBe(true);
  });

  it('uploads the invoice by drag and drop with a progress bar', async () => {
    // The file input is reachable from the keyboard.
    await page.locator('input[type="file"]').focus();
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe('file');

    const pdf = pdfOfSize(3 * 1024 * 1024);
    const dataTransfer = await page.evaluateHandle((base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'facture-dupont.pdf', { type: 'application/pdf' }));
      return dt;
    }, pdf.toString('base64'));
    await page.getByRole('group', { name: 'Dépôt du PDF de la facture' }).dispatchEvent('drop', { dataTransfer });
    await page.getByText('facture-dupont.pdf').waitFor();

    // Slow the upload down so that the progress bar has something to show.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('progress');
        if (bar) seen.push(Number(bar.getAttribute('value')));
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
    });
    await page.getByRole('button', { name: 'Publier la facture' }).click();
    await page.getByText(/Envoi du fichier : [1-9]\d? %/).waitFor();
    await screenshot(page, 'manager-invoice-uploading');
    await page.getByText('Facture publiée : le client a été prévenu').waitFor({ timeout: 60_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    expect(seen.some((v) => v > 0 && v < 100)).toBe(true);

    await page.getByText(/Facture publiée le/).waitFor();
    await page.getByRole('button', { name: 'Remplacer la facture' }).waitFor();
    await screenshot(page, 'manager-order');
    await checkA11y(page, 'manager order view');
    const order = await portal.manager.expect(200, 'GET', `/api/orders/${state.orderId}`);
    expect(order.invoice.available).toBe(true);
  });

  it('lets the customer download the invoice as a PDF', async () => {
    const { context, page: customerPage } = await newPage(browser, portal);
    try {
      await signInThroughUi(customerPage, GROUP_EMAIL);
      await customerPage.goto(`/commandes/${state.orderId}`);
      const link = customerPage.getByRole('link', { name: 'Télécharger la facture (PDF)' });
      await link.waitFor();
      // The link answers 302 to a short-lived URL; follow it as the browser would, with its cookie.
      const href = await link.getAttribute('href');
      expect(href).toBe(`/api/orders/${state.orderId}/invoice`);
      const res = await customerPage.request.get(href!);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toContain('application/pdf');
      const body = await res.body();
      expect(body.subarray(0, 5).toString()).toBe('%PDF-');
      expect(body.length).toBe(3 * 1024 * 1024);
      // The customer was told by e-mail.
      expect((await mails(portal, GROUP_EMAIL)).some((m) => /facture/i.test(m.subject))).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('flags a delivered order without invoice as needing attention', async () => {
    const customer = await ApiSession.signIn(portal.url, GROUP_EMAIL, USER_PASSWORD);
    const addresses = await customer.expect(200, 'GET', '/api/addresses');
    const vehicle = await addVehicle(customer, 'Peugeot', '208', 'LM-789-NP');
    const quoted = await customer.expect(201, 'POST', '/api/quotes', {
      vehicles: [{ vehicle_id: vehicle.id, make: 'Peugeot', model: '208', plate: 'LM-789-NP' }],
      pickup_address_id: addresses.items[0].id,
      delivery_address_id: addresses.items[1].id,
    });
    await customer.expect(200, 'POST', `/api/orders/${quoted.id}/validate`, { accept_terms: true });
    await deliver(portal, quoted.id);

    await page.goto('/gestion/commandes?attention=true');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: quoted.number }) });
    await expect.poll(() => row.innerText()).toMatch(/Livrée[\s\S]*Facture manquante/);
    // The invoiced order needs nothing.
    expect(await page.getByRole('link', { name: state.orderNumber! }).count()).toBe(0);
    await screenshot(page, 'manager-orders-attention');
    await checkA11y(page, 'manager orders (needing attention)');
  });

  it('shows the manager screens at 360 px wide', async () => {
    const { context, page: small } = await newPage(browser, portal);
    try {
      // Signed in wide (the sign-out button is behind the menu on small screens), then narrowed.
      await signInThroughUi(small, MANAGER_EMAIL, MANAGER_PASSWORD);
      await small.setViewportSize({ width: 360, height: 780 });
      await small.goto('/gestion/commandes');
      await small.getByRole('link', { name: state.orderNumber! }).waitFor();
      const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(small, 'manager-orders-360');
      await checkA11y(small, 'manager orders (360 px)');
      await small.goto(`/commandes/${state.orderId}`);
      await small.getByRole('heading', { name: 'Facture' }).waitFor();
      await screenshot(small, 'manager-order-360');
    } finally {
      await context.close();
    }
  });
});
