// Search box, status, account and "needs attention" filters of the all-orders list.
import { useState, type FormEvent } from 'react';
import type { AccountOverview } from '../../../api/types';
import { Button, Field, ORDER_STATUS_LABELS, SelectField } from '../../../ui';
import type { OrderFilters } from './orderFilters';

export function OrderFiltersForm({ filters, accounts, onChange }: {
  filters: OrderFilters;
  accounts: AccountOverview[];
  onChange: (next: OrderFilters) => void;
}) {
  // The text search applies on submit; the selects and the checkbox apply at once.
  // They are uncontrolled (re-keyed by the URL's value): the URL update is a router
  // transition, and a controlled checkbox would flip back until it lands.
  const [q, setQ] = useState(filters.q);
  const [seenQ, setSeenQ] = useState(filters.q);
  if (seenQ !== filters.q) {
    setSeenQ(filters.q);
    setQ(filters.q);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    onChange({ ...filters, q });
  }

  return (
    <form className="mgr-filters" role="search" aria-label="Filtrer les commandes" onSubmit={submit}>
      <div className="mgr-filters__search">
        <Field
          label="Rechercher"
          hint="N° de commande, référence client, immatriculation ou compte"
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <Button type="submit" variant="secondary">Rechercher</Button>
      </div>
      <SelectField label="Statut" key={`s-${filters.status}`} defaultValue={filters.status} onChange={(e) => onChange({ ...filters, status: e.target.value })}>
        <option value="">Tous les statuts</option>
        {Object.entries(ORDER_STATUS_LABELS).map(([value, label]) => (
          <option key={value} value={value}>{label}</option>
        ))}
      </SelectField>
      <SelectField label="Compte client" key={`a-${filters.account_id}-${accounts.length}`} defaultValue={filters.account_id} onChange={(e) => onChange({ ...filters, account_id: e.target.value })}>
        <option value="">Tous les comptes</option>
        {accounts.map((a) => (
          <option key={a.id} value={a.id}>{a.name}</option>
        ))}
        {filters.account_id !== '' && !accounts.some((a) => a.id === filters.account_id) && (
          <option value={filters.account_id}>Compte sélectionné</option>
        )}
      </SelectField>
      <div className="mgr-filters__check">
        <input
          id="mgr-attention"
          type="checkbox"
          key={`c-${filters.attention}`}
          defaultChecked={filters.attention}
          onChange={(e) => onChange({ ...filters, attention: e.target.checked })}
        />
        <label htmlFor="mgr-attention">Seulement les commandes à traiter</label>
      </div>
    </form>
  );
}
