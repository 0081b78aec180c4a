// The whole customer journey in a real browser: sign-in, the six-step order, the purchase
// order PDF, validation, the history with its CSV export, the order page and its invoice.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  addAddress, addVehicle, checkA11y, createAccount, createCustomer, deliver, launchBrowser, newPage,
  publishInvoice, screenshot, signInThroughUi, startPortal, type ApiSession, type Portal,
} from './harness';

const EMAIL = 'chef@garage-dupont.test';

describe('customer order flow', () => {
  let portal: Portal;
  let browser: Browser;
  let page: Page;
  let customer: ApiSession;
  let orderId = '';
  let orderNumber = '';

  beforeAll(async () => {
    portal = await startPortal();
    const account = await createAccount(portal, 'Garage Dupont');
    customer = await createCustomer(portal, account.id, EMAIL, 'Jean Dupont');
    await addAddress(customer, 'Dépôt Lyon', '69002', 'Lyon', '12 rue de la République');
    await addAddress(customer, 'Agence Paris', '75012', 'Paris', '5 avenue Daumesnil');
    await addVehicle(customer, 'Peugeot', '308', 'AB-123-CD');
    await addVehicle(customer, 'Renault', 'Clio', 'BC-234-DE');
    await addVehicle(customer, 'Citroën', 'C3', '1234 AB 56');
    browser = await launchBrowser();
    ({ page } = await newPage(browser, portal));
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it('signs in and shows the dashboard', async () => {
    await page.goto('/');
    await page.waitForURL(/\/connexion/);
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await screenshot(page, 'customer-01-sign-in');
    await checkA11y(page, 'sign-in');
    await signInThroughUi(page, EMAIL);
    await page.getByRole('heading', { name: 'Tableau de bord' }).waitFor();
    await page.getByText('Aucune commande en cours').waitFor();
    await screenshot(page, 'customer-02-dashboard-empty');
    await checkA11y(page, 'dashboard');
  });

  it('step 1: chooses the lot from the stock, with search', async () => {
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Nouvelle commande' }).click();
    await page.getByRole('heading', { name: '1. Choisissez les véhicules du lot' }).waitFor();
    await page.getByLabel('Peugeot 308').waitFor();
    // Search narrows the stock, then clearing it brings everything back.
    await page.getByRole('searchbox', { name: 'Rechercher' }).fill('Clio');
    await expect.poll(() => page.getByRole('checkbox').count()).toBe(1);
    await page.getByRole('searchbox', { name: 'Rechercher' }).fill('');
    await expect.poll(() => page.getByRole('checkbox').count()).toBe(3);
    // "Continuer" without a vehicle says why.
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByRole('alert').getByText('Choisissez au moins un véhicule.').waitFor();
    await page.getByLabel('Peugeot 308').check();
    await page.getByLabel('Citroën C3').check();
    await page.getByText('2 véhicules sélectionnés').waitFor();
    await screenshot(page, 'customer-03-wizard-1-lot');
    await checkA11y(page, 'wizard step 1');
    await page.getByRole('button', { name: 'Continuer' }).click();
  });

  it('step 2: checks the vehicles with inline plate validation', async () => {
    await page.getByRole('heading', { name: '2. Vérifiez les véhicules' }).waitFor();
    await page.locator('#v0-model').fill('308 SW');
    const plate = page.locator('#v1-plate');
    await plate.fill('1234 AB 5!');
    await page.getByText("L'immatriculation contient un caractère non autorisé : « ! »").waitFor();
    expect(await plate.getAttribute('aria-invalid')).toBe('true');
    // The message is tied to the field for screen readers.
    const describedBy = (await plate.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`#${describedBy.split(' ').pop()}`).innerText()).toContain('caractère non autorisé');
    await screenshot(page, 'customer-04-wizard-2-check-error');
    await plate.fill('cd-345-ef');
    await page.getByText('Format : SIV').first().waitFor();
    expect(await plate.getAttribute('aria-invalid')).toBeNull();
    await screenshot(page, 'customer-05-wizard-2-check');
    await checkA11y(page, 'wizard step 2');
    await page.getByRole('button', { name: 'Continuer' }).click();
  });

  it('step 3: picks pickup and delivery from the address book', async () => {
    await page.getByRole('heading', { name: "3. Lieux d'enlèvement et de livraison" }).waitFor();
    await page.getByLabel("Adresse d'enlèvement").selectOption({ label: 'Dépôt Lyon – 69002 Lyon' });
    await page.getByLabel('Adresse de livraison').selectOption({ label: 'Agence Paris – 75012 Paris' });
    await page.getByLabel('Votre référence (facultatif)').fill('LOT-2026-11');
    await screenshot(page, 'customer-06-wizard-3-places');
    await checkA11y(page, 'wizard step 3');
    await page.getByRole('button', { name: 'Demander le devis' }).click();
  });

  it('step 4: gets the ERP estimate', async () => {
    await page.getByRole('heading', { name: "4. Devis de l'ERP" }).waitFor();
    const obtained = page.getByText(/Devis BC-\d{4}-\d+ obtenu\./);
    await obtained.waitFor();
    orderNumber = /BC-\d{4}-\d+/.exec(await obtained.innerText())![0];
    await page.getByText('Montant TTC').waitFor();
    await screenshot(page, 'customer-07-wizard-4-estimate');
    await checkA11y(page, 'wizard step 4');
    await page.getByRole('button', { name: 'Continuer' }).click();
  });

  it('step 5: shows the purchase order and downloads its PDF', async () => {
    await page.getByRole('heading', { name: `5. Bon de commande ${orderNumber}` }).waitFor();
    await page.getByRole('cell', { name: '308 SW' }).waitFor();
    await page.getByRole('cell', { name: 'CD-345-EF' }).waitFor();
    await page.getByText('LOT-2026-11').waitFor();
    await screenshot(page, 'customer-08-wizard-5-purchase-order');
    await checkA11y(page, 'wizard step 5');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Télécharger le bon de commande (PDF)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`bon-de-commande-${orderNumber}.pdf`);
    const pdf = readFileSync((await download.path())!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.getByRole('button', { name: 'Continuer' }).click();
  });

  it('step 6: validates after accepting the terms', async () => {
    await page.getByRole('heading', { name: '6. Validation de la commande' }).waitFor();
    await page.getByRole('button', { name: 'Valider la commande' }).click();
    const terms = page.getByLabel(/J'ai lu et j'accepte les conditions générales/);
    await page.getByText('Acceptez les conditions générales pour valider la commande.').waitFor();
    expect(await terms.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'customer-09-wizard-6-validation-error');
    await terms.check();
    await screenshot(page, 'customer-10-wizard-6-validation');
    await checkA11y(page, 'wizard step 6');
    await page.getByRole('button', { name: 'Valider la commande' }).click();
    await page.getByRole('heading', { name: `Commande ${orderNumber}` }).waitFor();
    await page.getByText('Commande validée et transmise à STVA.').waitFor();
    orderId = page.url().split('/').pop()!;
    await page.getByRole('list', { name: 'Étapes de la commande' }).getByText('Validée').waitFor();
    await screenshot(page, 'customer-11-order-detail-validated');
    await checkA11y(page, 'order detail');

    // The corrections reached the stock; the vehicles are reserved.
    const stock = await customer.expect(200, 'GET', '/api/vehicles?q=308');
    expect(stock.items[0].model).toBe('308 SW');
    expect(stock.items[0].status).toBe('in_order');
  });

  it('finds the order in the history, filters it and exports CSV', async () => {
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Commandes', exact: true }).click();
    await page.getByRole('heading', { name: 'Historique des commandes' }).waitFor();
    await page.getByRole('link', { name: orderNumber }).waitFor();
    await screenshot(page, 'customer-12-history');
    await checkA11y(page, 'history');
    await page.getByLabel('Statut').selectOption({ label: 'Devis' });
    await page.getByText('Aucune commande ne correspond à ces filtres').waitFor();
    await page.getByLabel('Statut').selectOption({ label: 'Tous les statuts' });
    await page.getByRole('searchbox', { name: 'Rechercher' }).fill('CD-345');
    await page.getByRole('link', { name: orderNumber }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Exporter en CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain('Numéro;');
    expect(csv).toContain(orderNumber);
  });

  it('follows the transport to delivery and downloads the invoice', async () => {
    await deliver(portal, orderId);
    await publishInvoice(portal, orderId);
    await page.getByRole('link', { name: orderNumber }).click();
    await page.getByRole('heading', { name: `Commande ${orderNumber}` }).waitFor();
    const timeline = page.getByRole('list', { name: 'Étapes de la commande' });
    for (const step of ['Devis', 'Validée', 'Confirmée', 'Livrée']) await timeline.getByText(step, { exact: true }).first().waitFor();
    const invoice = page.getByRole('link', { name: 'Télécharger la facture (PDF)' });
    await invoice.waitFor();
    await screenshot(page, 'customer-13-order-detail-delivered');
    await checkA11y(page, 'order detail delivered');
    // The link answers a redirect to the stored PDF; follow it with the page's own cookie.
    const res = await page.request.get((await invoice.getAttribute('href'))!);
    expect(res.status()).toBe(200);
    expect((await res.body()).subarray(0, 5).toString()).toBe('%PDF-');

    await page.getByRole('link', { name: 'Tableau de bord' }).click();
    await page.getByRole('heading', { name: 'Dernières factures' }).waitFor();
    await page.getByRole('link', { name: `Télécharger la facture de ${orderNumber}` }).waitFor();
    await screenshot(page, 'customer-14-dashboard-invoice');
  });

  it('validates a quote left pending from its own page', async () => {
    const vehicles = await customer.expect(200, 'GET', '/api/vehicles?q=Clio');
    const places = await customer.expect(200, 'GET', '/api/addresses');
    const clio = vehicles.items[0];
    const quote = await customer.expect(201, 'POST', '/api/quotes', {
      vehicles: [{ vehicle_id: clio.id, make: clio.make, model: clio.model, plate: clio.plate }],
      pickup_address_id: places.items[1].id,
      delivery_address_id: places.items[0].id,
    });
    await page.goto('/');
    await page.getByRole('link', { name: quote.number }).click();
    await page.getByRole('heading', { name: 'Valider ce devis' }).waitFor();
    await page.getByLabel(/J'ai lu et j'accepte/).check();
    await page.getByRole('button', { name: 'Valider la commande' }).click();
    await page.getByText('Commande validée et transmise à STVA.').waitFor();
    expect(await page.getByRole('heading', { name: 'Valider ce devis' }).count()).toBe(0);
  });

  it('works on a 360 px wide screen', async () => {
    await addVehicle(customer, 'Dacia', 'Sandero', 'DE-456-FG');
    const { context, page: small } = await newPage(browser, portal, { width: 360, height: 740 });
    await small.goto('/connexion');
    await screenshot(small, 'mobile-01-sign-in');
    await signInThroughUi(small, EMAIL);
    await small.getByRole('button', { name: 'Menu' }).click();
    await screenshot(small, 'mobile-02-menu');
    await small.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Nouvelle commande' }).click();
    await small.getByLabel('Dacia Sandero').check();
    await screenshot(small, 'mobile-03-wizard-1-lot');
    await small.goto(`/commandes/${orderId}`);
    await small.getByRole('heading', { name: `Commande ${orderNumber}` }).waitFor();
    await screenshot(small, 'mobile-04-order-detail');
    // Nothing wider than the screen (tables scroll inside their own box).
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });
});
