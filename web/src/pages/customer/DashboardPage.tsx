import { Link } from 'react-router';
import { api } from '../../api/client';
import type { OrderSummary, Page } from '../../api/types';
import { useSession } from '../../session';
import { ACTIVE_STATUSES, DataTable, Empty, ErrorAlert, formatCents, formatDateTime, Loading, PageHeader, StatusBadge, useAsync } from '../../ui';

// The customer's home: orders under way and the latest invoices, from the latest orders.
export function DashboardPage() {
  const { me } = useSession();
  const { data, error, loading } = useAsync((signal) => api<Page<OrderSummary>>('/api/orders?limit=100', { signal }), []);
  const orders = data?.items ?? [];
  const active = orders.filter((o) => ACTIVE_STATUSES.includes(o.status));
  const quotes = active.filter((o) => o.status === 'quoted').length;
  const moving = active
    .filter((o) => ['picked_up', 'in_transit'].includes(o.status))
    .reduce((n, o) => n + o.plates.length, 0);
  const invoiced = orders
    .filter((o) => o.invoice.available)
    .sort((a, b) => (b.invoice.uploaded_at ?? '').localeCompare(a.invoice.uploaded_at ?? ''))
    .slice(0, 5);

  return (
    <>
      <PageHeader
        title="Tableau de bord"
        subtitle={me?.account_name ? `Bonjour ${me.name} – ${me.account_name}` : undefined}
        actions={<Link className="btn btn--primary" to="/commandes/nouvelle">Nouvelle commande</Link>}
      />
      <ErrorAlert error={error} />
      {loading ? (
        <Loading />
      ) : (
        <>
          <div className="stats">
            <div className="stat"><div className="stat__value">{active.length}</div><div className="stat__label">Commandes en cours</div></div>
            <div className="stat"><div className="stat__value">{quotes}</div><div className="stat__label">Devis à valider</div></div>
            <div className="stat"><div className="stat__value">{moving}</div><div className="stat__label">Véhicules en route</div></div>
          </div>
          <section aria-labelledby="active-title">
            <h2 id="active-title">Commandes en cours</h2>
            {active.length === 0 ? (
              <Empty title="Aucune commande en cours">
                <Link to="/commandes/nouvelle">Commander le transport d'un lot</Link>
              </Empty>
            ) : (
              <DataTable
                caption="Commandes en cours"
                rows={active}
                rowKey={(o) => o.id}
                columns={[
                  { header: 'Numéro', cell: (o) => <Link to={`/commandes/${o.id}`}>{o.number}</Link>, className: 'nowrap' },
                  { header: 'Trajet', cell: (o) => `${o.pickup.city} → ${o.delivery.city}` },
                  { header: 'Véhicules', cell: (o) => o.plates.length, className: 'num' },
                  { header: 'Mise à jour', cell: (o) => formatDateTime(o.updated_at), className: 'nowrap' },
                  { header: 'Statut', cell: (o) => <StatusBadge status={o.status} /> },
                ]}
              />
            )}
          </section>
          <section aria-labelledby="invoices-title">
            <h2 id="invoices-title">Dernières factures</h2>
            {invoiced.length === 0 ? (
              <Empty title="Aucune facture disponible">Les factures apparaissent ici après la livraison.</Empty>
            ) : (
              <DataTable
                caption="Dernières factures"
                rows={invoiced}
                rowKey={(o) => o.id}
                columns={[
                  { header: 'Commande', cell: (o) => <Link to={`/commandes/${o.id}`}>{o.number}</Link>, className: 'nowrap' },
                  { header: 'Déposée le', cell: (o) => formatDateTime(o.invoice.uploaded_at), className: 'nowrap' },
                  { header: 'Montant TTC', cell: (o) => formatCents(o.amount_incl_tax_cents), className: 'num nowrap' },
                  { header: 'Facture', cell: (o) => <a href={`/api/orders/${o.id}/invoice`} aria-label={`Télécharger la facture de ${o.number}`}>Télécharger (PDF)</a> },
                ]}
              />
            )}
            <p><Link to="/commandes">Voir tout l'historique</Link></p>
          </section>
        </>
      )}
    </>
  );
}
