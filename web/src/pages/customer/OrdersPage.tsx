import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { query } from '../../api/client';
import type { OrderStatus, OrderSummary } from '../../api/types';
import {
  DataTable, Empty, ErrorAlert, Field, formatCents, formatDateTime, LoadMore, Loading,
  ORDER_STATUS_LABELS, PageHeader, SelectField, StatusBadge, usePagedList,
} from '../../ui';
import { useDebounced } from './useDebounced';

// Order history with filters kept in the URL (shareable, back button works) and CSV export.
export function OrdersPage() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const [search, setSearch] = useState(params.get('q') ?? '');
  const q = useDebounced(search.trim(), 300);

  const filters = {
    status,
    q,
    // Whole days in the user's zone: from the start of `from` to the end of `to`.
    from: from ? new Date(`${from}T00:00:00`).toISOString() : '',
    to: to ? new Date(`${to}T23:59:59`).toISOString() : '',
  };
  const list = usePagedList<OrderSummary>(`/api/orders${query({ ...filters, limit: 50 })}`);

  function setFilter(name: string, value: string) {
    const nextParams = new URLSearchParams(params);
    if (value) nextParams.set(name, value);
    else nextParams.delete(name);
    setParams(nextParams, { replace: true });
  }

  const exportUrl = `/api/orders/export${query(filters)}`;
  return (
    <>
      <PageHeader
        title="Historique des commandes"
        actions={
          <>
            <a className="btn btn--secondary" href={exportUrl} download="commandes-stva.csv">Exporter en CSV</a>
            <Link className="btn btn--primary" to="/commandes/nouvelle">Nouvelle commande</Link>
          </>
        }
      />
      <form className="filters card" role="search" aria-label="Filtrer les commandes" onSubmit={(e) => e.preventDefault()}>
        <Field label="Rechercher" type="search" value={search} hint="Numéro, votre référence, immatriculation"
          onChange={(e) => { setSearch(e.target.value); setFilter('q', e.target.value.trim()); }} />
        <SelectField label="Statut" value={status} onChange={(e) => setFilter('status', e.target.value)}>
          <option value="">Tous les statuts</option>
          {(Object.keys(ORDER_STATUS_LABELS) as OrderStatus[]).map((s) => (
            <option key={s} value={s}>{ORDER_STATUS_LABELS[s]}</option>
          ))}
        </SelectField>
        <Field label="Du" type="date" value={from} onChange={(e) => setFilter('from', e.target.value)} />
        <Field label="Au" type="date" value={to} onChange={(e) => setFilter('to', e.target.value)} />
      </form>
      <ErrorAlert error={list.error} />
      {list.loading ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        <Empty title={q || status || from || to ? 'Aucune commande ne correspond à ces filtres' : 'Aucune commande pour le moment'}>
          <Link to="/commandes/nouvelle">Commander un transport</Link>
        </Empty>
      ) : (
        <DataTable
          caption="Commandes"
          rows={list.items}
          rowKey={(o) => o.id}
          columns={[
            { header: 'Numéro', cell: (o) => <Link to={`/commandes/${o.id}`}>{o.number}</Link>, className: 'nowrap' },
            { header: 'Date', cell: (o) => formatDateTime(o.created_at), className: 'nowrap' },
            { header: 'Référence', cell: (o) => o.customer_reference ?? '—' },
            { header: 'Trajet', cell: (o) => `${o.pickup.city} → ${o.delivery.city}` },
            { header: 'Véhicules', cell: (o) => o.plates.length, className: 'num' },
            { header: 'Montant TTC', cell: (o) => formatCents(o.amount_incl_tax_cents), className: 'num nowrap' },
            { header: 'Statut', cell: (o) => <StatusBadge status={o.status} /> },
            {
              header: 'Facture',
              cell: (o) => o.invoice.available
                ? <a href={`/api/orders/${o.id}/invoice`} aria-label={`Télécharger la facture de ${o.number}`}>Télécharger</a>
                : <span className="muted">—</span>,
            },
          ]}
        />
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
    </>
  );
}
