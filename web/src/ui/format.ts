// French formatting of money (integer cents), dates and addresses.
const euros = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
const dateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' });
const dateOnly = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });

export function formatCents(cents: number): string {
  // Intl uses a narrow no-break space as thousands separator; keep it.
  return euros.format(cents / 100);
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? dateOnly.format(new Date(iso)) : '—';
}

export function formatPlace(p: { street: string; postal_code: string; city: string; company?: string | null }): string {
  return [p.company, p.street, `${p.postal_code} ${p.city}`].filter(Boolean).join(', ');
}
