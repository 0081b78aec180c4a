// Forms and their errors in a real browser: the address book (client and server errors
// next to their fields), the stock (hand entry, CSV import report, sync status), the
// forgotten password and its reset link, and the accessibility of those screens.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  checkA11y, createAccount, createCustomer, launchBrowser, linkFromMail, newPage, screenshot, signInThroughUi, startPortal, USER_PASSWORD, type Portal,
} from './harness';

const EMAIL = 'contact@garage-leroy.test';

describe('customer forms and errors', () => {
  let portal: Portal;
  let browser: Browser;
  let page: Page;
  let accountId = '';
  let feed: Server | undefined;

  beforeAll(async () => {
    portal = await startPortal();
    const account = await createAccount(portal, 'Garage Leroy');
    accountId = account.id;
    await createCustomer(portal, account.id, EMAIL, 'Sophie Leroy', 'member');
    browser = await launchBrowser();
    ({ page } = await newPage(browser, portal));
  });

  afterAll(async () => {
    feed?.close();
    await browser?.close();
    await portal?.stop();
  });

  it('a wrong password is refused with the server message', async () => {
    await page.goto('/connexion');
    await page.getByLabel('Adresse e-mail').fill(EMAIL);
    await page.getByLabel('Mot de passe').fill('pas-le-bon-mot-de-passe');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toMatch(/incorrect/i);
    await screenshot(page, 'forms-01-sign-in-refused');
  });

  it('signs in with the keyboard alone; the skip link comes first', async () => {
    await page.getByLabel('Adresse e-mail').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(EMAIL);
    await page.keyboard.press('Tab');
    await page.keyboard.type(USER_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Tableau de bord' }).waitFor();
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.textContent);
    expect(first).toBe('Aller au contenu');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('contenu');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Nouvelle commande');
  });

  it('the address book shows each error next to its field', async () => {
    await page.getByRole('link', { name: 'Adresses' }).click();
    await page.getByText('Aucune adresse pour le moment').waitFor();
    await checkA11y(page, 'address book (empty)');
    await page.getByRole('button', { name: 'Ajouter une adresse' }).click();
    const form = page.getByRole('form', { name: 'Nouvelle adresse' });
    await form.getByLabel("Nom de l'adresse").fill('Dépôt Nantes');
    await form.getByLabel('Numéro et rue').fill('3 quai de la Fosse');
    await form.getByLabel('Code postal').fill('4400');
    await form.getByLabel('Ville').fill('Nantes');
    await form.getByRole('button', { name: "Ajouter l'adresse" }).click();
    // Checked in the browser, with the server's message.
    await form.getByText('Le code postal doit comporter 5 chiffres.').waitFor();
    expect(await form.getByLabel('Code postal').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'forms-02-address-client-error');

    // Only the server knows the country codes: its answer lands under the country field.
    await form.getByLabel('Code postal').fill('44000');
    await form.getByLabel('Pays (code ISO)').fill('ZZ');
    await form.getByRole('button', { name: "Ajouter l'adresse" }).click();
    const countryError = page.locator('#new-address-country-error');
    await countryError.waitFor();
    expect(await countryError.innerText()).toContain('Code pays inconnu : « ZZ ».');
    expect(await form.getByLabel('Pays (code ISO)').getAttribute('aria-describedby')).toContain('new-address-country-error');
    expect(await form.getByLabel('Code postal').getAttribute('aria-invalid')).toBeNull();
    await screenshot(page, 'forms-03-address-server-error');
    await checkA11y(page, 'address form with errors');

    await form.getByLabel('Pays (code ISO)').fill('FR');
    await form.getByRole('button', { name: "Ajouter l'adresse" }).click();
    await page.getByText("L'adresse « Dépôt Nantes » a été ajoutée.").waitFor();

    // Edit, then delete.
    await page.getByRole('button', { name: 'Modifier Dépôt Nantes' }).click();
    await page.getByRole('form', { name: "Modifier l'adresse Dépôt Nantes" }).getByLabel('Ville').fill('Nantes Cedex');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('3 quai de la Fosse, 44000 Nantes Cedex').waitFor();
    await screenshot(page, 'forms-04-address-book');
    await checkA11y(page, 'address book');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Supprimer Dépôt Nantes' }).click();
    await page.getByText("L'adresse « Dépôt Nantes » a été supprimée.").waitFor();
    await page.getByText('Aucune adresse pour le moment').waitFor();
  });

  it('the stock: hand entry, CSV import with rejected lines, sync status', async () => {
    await page.getByRole('link', { name: 'Stock' }).click();
    await page.getByText('Votre stock est vide').waitFor();
    await page.getByText("Aucun logiciel de stock n'est relié à votre compte").waitFor();
    await page.getByRole('button', { name: 'Ajouter un véhicule' }).click();
    await page.getByLabel('Marque').fill('Toyota');
    await page.getByLabel('Modèle').fill('Yaris');
    await page.getByLabel('Immatriculation').fill('EF 456');
    await page.getByLabel('Immatriculation').blur();
    // A doubtful plate is accepted with a warning, as the server does.
    await page.getByText("Format d'immatriculation non reconnu").waitFor();
    await page.getByLabel('Immatriculation').fill('ef456gh');
    await page.getByText('Format : SIV (EF-456-GH)').waitFor();
    await page.getByRole('button', { name: 'Ajouter au stock' }).click();
    await page.getByText('Toyota Yaris (EF-456-GH) a été ajouté au stock.').waitFor();
    await page.getByRole('cell', { name: 'EF-456-GH' }).waitFor();

    const csv = join(tmpdir(), `stock-${Date.now()}.csv`);
    // Windows-1252, as French spreadsheets save it: "Citroën" with ë = 0xEB.
    writeFileSync(csv, Buffer.from('marque;modele;immatriculation;reference\r\nCitro\xebn;C4;GH-567-JK;R-1\r\n;Megane;HJ-678-KL;R-2\r\nFiat;500;;R-3\r\n', 'latin1'));
    await page.getByRole('button', { name: 'Importer un CSV' }).click();
    await page.getByLabel('Fichier CSV', { exact: true }).setInputFiles(csv);
    await page.getByRole('button', { name: 'Importer', exact: true }).click();
    await page.getByText(/Import terminé : 1 créé, 0 mis à jour, 0 inchangé, 2 lignes rejetées\./).waitFor();
    const rejected = page.getByRole('region', { name: 'Lignes rejetées' });
    expect(await rejected.getByRole('row').count()).toBe(3);
    await page.getByRole('cell', { name: 'GH-567-JK' }).waitFor();
    expect(await page.getByRole('cell', { name: 'Citroën C4' }).count()).toBe(1);
    await screenshot(page, 'forms-05-stock-import-report');
    await checkA11y(page, 'stock');
  });

  it('the stock: "sync now" reads the dealer\'s stock tool and reports refused records', async () => {
    // A PlanetVO-like CSV export served locally; STVA's manager connects the account to it.
    const csv = 'Référence;Marque;Modèle;Version;Immatriculation\r\nPV-1;Renault;Mégane Estate;E-Tech;JK-789-LM\r\nPV-2;;Clio;;KL-890-MN\r\n';
    feed = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/csv' }); res.end(csv); });
    await new Promise<void>((ok) => feed!.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/export.csv`;
    await portal.manager.expect(200, 'PUT', `/api/accounts/${accountId}/stock-connection`, { provider: 'feed', settings: { url, preset: 'planetvo' } });

    await page.reload();
    await page.getByText('Aucune synchronisation n\'a encore eu lieu.').waitFor();
    await page.getByRole('button', { name: 'Synchroniser maintenant' }).click();
    await page.getByText('Terminée avec des erreurs').waitFor();
    await page.getByText('1 ajoutés, 0 mis à jour, 0 inchangés, 0 retirés').waitFor();
    await page.getByRole('cell', { name: 'JK-789-LM' }).waitFor();
    await page.getByText(/1 enregistrement\(s\) refusé\(s\)/).click();
    await page.getByText('PV-2').waitFor();
    await screenshot(page, 'forms-06-stock-sync');
    await checkA11y(page, 'stock after sync');
  });

  it('the order wizard adds the pickup and delivery addresses on the spot', async () => {
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Nouvelle commande' }).click();
    await page.getByLabel('Toyota Yaris').check();
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByText("Votre carnet d'adresses est vide").waitFor();
    await page.getByRole('button', { name: 'Demander le devis' }).click();
    await page.getByText("Choisissez l'adresse d'enlèvement.").waitFor();

    const add = async (which: string, label: string, street: string, postalCode: string, city: string) => {
      await page.getByRole('button', { name: `Ajouter une adresse ${which}` }).click();
      const form = page.getByRole('form', { name: 'Nouvelle adresse' });
      await form.getByLabel("Nom de l'adresse").fill(label);
      await form.getByLabel('Numéro et rue').fill(street);
      await form.getByLabel('Code postal').fill(postalCode);
      await form.getByLabel('Ville').fill(city);
      await form.getByRole('button', { name: "Ajouter l'adresse" }).click();
      await form.waitFor({ state: 'detached' });
    };
    await add("d'enlèvement", 'Parc Bordeaux', '8 rue Lucien Faure', '33000', 'Bordeaux');
    expect(await page.getByLabel("Adresse d'enlèvement").inputValue()).not.toBe('');
    await add('de livraison', 'Showroom Toulouse', '2 allée Jean Jaurès', '31000', 'Toulouse');
    await screenshot(page, 'forms-09-wizard-addresses-added');
    await page.getByRole('button', { name: 'Demander le devis' }).click();
    await page.getByText(/Devis BC-\d{4}-\d+ obtenu\./).waitFor();
    // Changing one's mind frees the vehicle: back to step 1 with it available again.
    await page.getByRole('button', { name: 'Abandonner ce devis et modifier le lot' }).click();
    await page.getByRole('heading', { name: '1. Choisissez les véhicules du lot' }).waitFor();
    await page.getByLabel('Toyota Yaris').waitFor();
    // Both addresses are now in the book.
    await page.getByRole('link', { name: 'Adresses' }).click();
    await page.getByRole('heading', { name: 'Parc Bordeaux' }).waitFor();
    await page.getByRole('heading', { name: 'Showroom Toulouse' }).waitFor();
  });

  it('forgotten password: the e-mailed link sets a new one', async () => {
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
    await page.getByRole('heading', { name: 'Mot de passe oublié' }).waitFor();
    await checkA11y(page, 'forgotten password');
    await page.getByLabel('Adresse e-mail').fill(EMAIL);
    await page.getByRole('button', { name: 'Recevoir le lien' }).click();
    await page.getByText(/un e-mail vient de lui être envoyé/).waitFor();
    await screenshot(page, 'forms-07-forgot-password-sent');

    await page.goto(await linkFromMail(portal, EMAIL, '/reinitialiser-mot-de-passe?token='));
    await page.getByRole('heading', { name: 'Nouveau mot de passe' }).waitFor();
    await checkA11y(page, 'reset password');
    await page.getByLabel(/^Nouveau mot de passe/).fill('Nouvelle-Phrase-de-Passe-2027');
    await page.getByLabel('Confirmez le mot de passe').fill('Nouvelle-Phrase-de-Passe-2027');
    await screenshot(page, 'forms-08-reset-password');
    await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
    await page.getByText('Votre mot de passe a été modifié. Connectez-vous.').waitFor();
    await signInThroughUi(page, EMAIL, 'Nouvelle-Phrase-de-Passe-2027');
    await page.getByRole('heading', { name: 'Tableau de bord' }).waitFor();
  });
});
