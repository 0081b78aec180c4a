// Invitations in a real browser: a group user activates the access from the e-mailed link,
// then invites a member of the account, who activates it in turn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkA11y, createAccount, launchBrowser, linkFromMail, mails, newPage, screenshot, startPortal, type Portal } from './harness';

const GROUP_EMAIL = 'direction@autos-martin.test';
const MEMBER_EMAIL = 'atelier@autos-martin.test';
const PASSWORD = 'Remorque-Bleue-du-Lundi';

describe('invitations and users of the account', () => {
  let portal: Portal;
  let browser: Browser;
  let page: Page;
  let accountId = '';

  beforeAll(async () => {
    portal = await startPortal();
    accountId = (await createAccount(portal, 'Autos Martin')).id;
    browser = await launchBrowser();
    ({ page } = await newPage(browser, portal));
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it('a group user activates the access from the link of the e-mail', async () => {
    await portal.manager.expect(201, 'POST', `/api/accounts/${accountId}/users`, { email: GROUP_EMAIL, name: 'Claire Martin', role: 'group' });
    const link = await linkFromMail(portal, GROUP_EMAIL, '/invitation?token=');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Activer votre accès' }).waitFor();
    await checkA11y(page, 'invitation');

    // Too short, then two different passwords: each message sits under its field.
    await page.getByLabel('Nom et prénom').fill('Claire Martin');
    await page.getByLabel(/^Mot de passe/).fill('court');
    await page.getByLabel('Confirmez le mot de passe').fill('court');
    await page.getByRole('button', { name: 'Activer mon accès' }).click();
    await page.getByText('Le mot de passe doit contenir au moins 12 caractères.').waitFor();
    expect(await page.getByLabel(/^Mot de passe/).getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'invitation-01-error');
    await page.getByLabel(/^Mot de passe/).fill(PASSWORD);
    await page.getByLabel('Confirmez le mot de passe').fill(`${PASSWORD}!`);
    await page.getByRole('button', { name: 'Activer mon accès' }).click();
    await page.getByText('Les deux mots de passe ne sont pas identiques.').waitFor();

    // The server's own check (a common password) comes back next to the field too.
    await page.getByLabel(/^Mot de passe/).fill('motdepasse2024');
    await page.getByLabel('Confirmez le mot de passe').fill('motdepasse2024');
    await page.getByRole('button', { name: 'Activer mon accès' }).click();
    await page.locator('.field__error', { hasText: 'Ce mot de passe est trop courant' }).waitFor();
    await screenshot(page, 'invitation-02-server-error');

    await page.getByLabel(/^Mot de passe/).fill(PASSWORD);
    await page.getByLabel('Confirmez le mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Activer mon accès' }).click();
    await page.getByRole('heading', { name: 'Tableau de bord' }).waitFor();
    await page.getByText('Bonjour Claire Martin – Autos Martin').waitFor();

    // The link works once.
    const { context, page: again } = await newPage(browser, portal);
    await again.goto(link);
    await again.getByLabel('Nom et prénom').fill('Claire Martin');
    await again.getByLabel(/^Mot de passe/).fill(PASSWORD);
    await again.getByLabel('Confirmez le mot de passe').fill(PASSWORD);
    await again.getByRole('button', { name: 'Activer mon accès' }).click();
    await again.getByRole('alert').waitFor();
    expect(await again.getByRole('button', { name: 'Activer mon accès' }).count()).toBe(0);
    expect(await again.getByRole('alert').innerText()).toMatch(/lien/i);
    await screenshot(again, 'invitation-03-link-used');
    await context.close();
  });

  it('the group user invites a member; the e-mail taken shows under the e-mail field', async () => {
    await page.getByRole('link', { name: 'Utilisateurs' }).click();
    await page.getByRole('heading', { name: 'Utilisateurs du compte' }).waitFor();
    await checkA11y(page, 'users');
    await page.getByLabel('Nom et prénom').fill('Paul Atelier');
    await page.getByLabel('Adresse e-mail').fill('atelier@autos-martin');
    await page.getByRole('button', { name: "Envoyer l'invitation", exact: true }).click();
    await page.getByText("L'adresse e-mail n'est pas valide : le domaine après le « @ » doit ressembler à exemple.fr.").waitFor();
    await page.getByLabel('Adresse e-mail').fill(MEMBER_EMAIL);
    await page.getByRole('button', { name: "Envoyer l'invitation", exact: true }).click();
    await page.getByText(`Invitation envoyée à ${MEMBER_EMAIL}.`).waitFor();
    const row = page.getByRole('row', { name: /Paul Atelier/ });
    await row.getByText('Invité').waitFor();
    await screenshot(page, 'users-01-member-invited');

    // The same address again: the server's answer is shown next to the e-mail field.
    await page.getByLabel('Nom et prénom').fill('Paul Doublon');
    await page.getByLabel('Adresse e-mail').fill(MEMBER_EMAIL);
    await page.getByRole('button', { name: "Envoyer l'invitation", exact: true }).click();
    const emailError = page.locator('#invite-email-error');
    await emailError.waitFor();
    expect(await emailError.innerText()).toContain('Un utilisateur existe déjà avec cette adresse e-mail.');
    expect(await page.getByLabel('Adresse e-mail').getAttribute('aria-describedby')).toContain('invite-email-error');
    await screenshot(page, 'users-02-email-taken');

    expect((await mails(portal, MEMBER_EMAIL)).length).toBe(1);
  });

  it('the member activates the access and sees no user management', async () => {
    const { context, page: member } = await newPage(browser, portal);
    await member.goto(await linkFromMail(portal, MEMBER_EMAIL, '/invitation?token='));
    await member.getByLabel('Nom et prénom').fill('Paul Atelier');
    await member.getByLabel(/^Mot de passe/).fill('Carrosserie-du-Quai-31');
    await member.getByLabel('Confirmez le mot de passe').fill('Carrosserie-du-Quai-31');
    await member.getByRole('button', { name: 'Activer mon accès' }).click();
    await member.getByRole('heading', { name: 'Tableau de bord' }).waitFor();
    const nav = member.getByRole('navigation', { name: 'Navigation principale' });
    await nav.getByRole('link', { name: 'Commandes', exact: true }).waitFor();
    expect(await nav.getByRole('link', { name: 'Utilisateurs' }).count()).toBe(0);
    await screenshot(member, 'users-03-member-dashboard');
    await context.close();

    // Back to the group user: the member is active; disable it.
    await page.reload();
    const row = page.getByRole('row', { name: /Paul Atelier/ });
    await row.getByText('Actif').waitFor();
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Désactiver Paul Atelier' }).click();
    await row.getByText('Désactivé').waitFor();
    await page.getByText("L'accès de Paul Atelier est désactivé.").waitFor();
    await screenshot(page, 'users-04-member-disabled');
  });
});
