// "Toutes les commandes": every customer's orders, filtered, newest first.
import { Link, useSearchParams } from 'react-router';
import { api } from '../../../api/client';
import type { AccountOverview, OrderSummary, Page } from '../../../api/types';
import { DataTable, Empty, ErrorAlert, LoadMore, Loading, PageHeader, StatusBadge, formatDateTime, useAsync, usePagedList, type Column } from '../../../ui';
import { attentionLabel } from './attention';
import { OrderFiltersForm } from './OrderFiltersForm';
import { filtersFrom, filtersToSearch, ordersUrl, type OrderFilters } from './orderFilters';

const columns: Column<OrderSummary>[] = [
  {
    header: 'Commande',
    cell: (o) => (
      <>
        <Link to={`/commandes/${o.id}`}>{o.number}</Link>
        <span className="mgr-sub mgr-narrow-only">{o.account_name}</span>
        {o.customer_reference && <span className="mgr-sub">Réf. {o.customer_reference}</span>}
      </>
    ),
  },
  {
    header: 'Compte',
    className: 'mgr-wide-only',
    cell: (o) => <Link to={`/gestion/comptes/${o.account_id}`}>{o.account_name}</Link>,
  },
  {
    header: 'Trajet',
    className: 'mgr-wide-only',
    cell: (o) => `${o.pickup.city} → ${o.delivery.city}`,
  },
  {
    header: 'Véhicules',
    className: 'mgr-wide-only',
    cell: (o) => (
      <>
        {o.plates.length}
        <span className="mgr-sub">{o.plates.slice(0, 3).join(', ')}{o.plates.length > 3 ? '…' : ''}</span>
      </>
    ),
  },
  { header: 'Statut', cell: (o) => <StatusBadge status={o.status} label={o.status_label} /> },
  {
    header: 'À traiter',
    cell: (o) =>
      o.needs_attention && o.needs_attention.length > 0 ? (
        <ul className="mgr-flags">
          {o.needs_attention.map((code) => (
            <li key={code} className="mgr-flag">{attentionLabel(code)}</li>
          ))}
        </ul>
      ) : (
        <span className="muted">—</span>
      ),
  },
  { header: 'Facture', className: 'mgr-wide-only', cell: (o) => (o.invoice.available ? 'Publiée' : <span className="muted">—</span>) },
  { header: 'Créée le', className: 'mgr-wide-only', cell: (o) => formatDateTime(o.created_at) },
];

export function AllOrdersPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const orders = usePagedList<OrderSummary>(ordersUrl(filters));
  // The account filter lists the first 200 accounts by name; enough for STVA's small accounts.
  const accounts = useAsync((signal) => api<Page<AccountOverview>>('/api/accounts?limit=200', { signal }), []);
  const filtered = filters.q !== '' || filters.status !== '' || filters.account_id !== '' || filters.attention;

  function apply(next: OrderFilters) {
    setParams(new URLSearchParams(filtersToSearch(next)));
  }

  return (
    <>
      <PageHeader
        title="Toutes les commandes"
        subtitle="Les commandes de tous les comptes clients, les plus récentes d'abord."
        actions={<a className="btn btn--secondary" href={ordersUrl(filters, '/api/orders/export')} download>Exporter (CSV)</a>}
      />
      <OrderFiltersForm
        filters={filters}
        accounts={[...(accounts.data?.items ?? [])].sort((a, b) => a.name.localeCompare(b.name, 'fr'))}
        onChange={apply}
      />
      <ErrorAlert error={orders.error} />
      {orders.loading ? (
        <Loading label="Chargement des commandes…" />
      ) : orders.items.length === 0 ? (
        !orders.error && (
          <Empty title={filtered ? 'Aucune commande ne correspond à ces filtres.' : "Aucune commande pour l'instant."}>
            {filtered
              ? 'Élargissez la recherche ou retirez un filtre.'
              : 'Les commandes apparaîtront ici dès que les clients auront demandé un devis.'}
          </Empty>
        )
      ) : (
        <>
          <p className="mgr-count" role="status">
            {orders.items.length} commande{orders.items.length > 1 ? 's' : ''} affichée{orders.items.length > 1 ? 's' : ''}
            {orders.hasMore ? ' (il y en a d\'autres)' : ''}
          </p>
          <DataTable caption="Commandes" columns={columns} rows={orders.items} rowKey={(o) => o.id} />
          <LoadMore hasMore={orders.hasMore} loading={orders.loadingMore} onClick={orders.loadMore} />
        </>
      )}
    </>
  );
}
