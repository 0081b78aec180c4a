import { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { api, errorMessage } from '../../api/client';
import type { Order } from '../../api/types';
import { useSession } from '../../session';
import { Alert, Button, ErrorAlert, formatDateTime, Loading, PageHeader, StatusBadge, useAsync } from '../../ui';
import { InvoiceUploadPanel } from '../manager/InvoiceUploadPanel';
import { OrderSummary } from './OrderSummary';
import { OrderTimeline } from './OrderTimeline';
import { ValidateQuotePanel } from './ValidateQuotePanel';

// One order: status timeline, purchase order, invoice; managers also get the invoice upload.
export function OrderDetailPage() {
  const { id = '' } = useParams();
  const { me } = useSession();
  const location = useLocation();
  const justValidated = (location.state as { justValidated?: boolean } | null)?.justValidated;
  const { data: order, error, loading, reload, setData } = useAsync((signal) => api<Order>(`/api/orders/${id}`, { signal }), [id]);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [justDone, setJustDone] = useState(false);

  if (loading && !order) return <Loading />;
  if (error || !order) {
    return (
      <>
        <PageHeader title="Commande" />
        <ErrorAlert error={error} />
        <Link to={me?.role === 'manager' ? '/' : '/commandes'}>Retour aux commandes</Link>
      </>
    );
  }

  const isManager = me?.role === 'manager';
  const canCancel = order.status === 'quoted' || (isManager && ['validated', 'confirmed', 'scheduled'].includes(order.status));

  async function cancel() {
    // Managers say why (shown in the timeline); customers only confirm.
    let reason: string | null = null;
    if (isManager) {
      reason = window.prompt(`Annuler la commande ${order!.number} : motif (facultatif)`, '');
      if (reason === null) return;
    } else if (!window.confirm(`Annuler la commande ${order!.number} ?`)) return;
    setCancelling(true);
    setCancelError(null);
    try {
      setData(await api<Order>(`/api/orders/${order!.id}/cancel`, { body: reason?.trim() ? { reason: reason.trim() } : {} }));
    } catch (err) {
      setCancelError(errorMessage(err));
    } finally {
      setCancelling(false);
    }
  }

  return (
    <>
      <PageHeader
        title={`Commande ${order.number}`}
        subtitle={<>{isManager && <>{order.account_name} – </>}Créée le {formatDateTime(order.created_at)}{order.created_by_name && ` par ${order.created_by_name}`}</>}
        actions={<StatusBadge status={order.status} label={order.status_label} />}
      />
      {justValidated && (
        <Alert kind="success">
          Commande validée et transmise à STVA. Vous recevrez un e-mail à chaque étape du transport.
        </Alert>
      )}
      {order.status === 'quoted' && !isManager && (
        <ValidateQuotePanel order={order} onValidated={(o) => { setData(o); setJustDone(true); }} />
      )}
      {justDone && <Alert kind="success">Commande validée et transmise à STVA.</Alert>}
      {order.status === 'expired' && (
        <Alert kind="warning">
          Ce devis a expiré sans être validé. <Link to="/commandes/nouvelle">Demander un nouveau devis</Link>
        </Alert>
      )}
      <div className="grid-2">
        <section className="card" aria-labelledby="timeline-title">
          <h2 id="timeline-title">Suivi</h2>
          <OrderTimeline order={order} />
          <Button className="btn--small" onClick={reload}>Actualiser</Button>
        </section>
        <section className="card" aria-labelledby="docs-title">
          <h2 id="docs-title">Documents</h2>
          <ul className="selection-list stack">
            <li>
              <a className="btn btn--secondary" href={`/api/orders/${order.id}/purchase-order`} download={`bon-de-commande-${order.number}.pdf`}>
                Bon de commande (PDF)
              </a>
            </li>
            <li>
              {order.invoice.available ? (
                <>
                  <a className="btn btn--primary" href={`/api/orders/${order.id}/invoice`}>Télécharger la facture (PDF)</a>
                  <p className="small muted">Facture déposée le {formatDateTime(order.invoice.uploaded_at)}</p>
                </>
              ) : (
                <p className="muted">La facture sera disponible ici après la livraison.</p>
              )}
            </li>
          </ul>
          {order.customer_reference && <p>{isManager ? 'Référence client' : 'Votre référence'} : <strong>{order.customer_reference}</strong></p>}
          {order.erp_order_id && <p className="small muted">Dossier ERP : {order.erp_order_id}</p>}
          {canCancel && (
            <>
              {cancelError && <Alert>{cancelError}</Alert>}
              <Button variant="danger" busy={cancelling} onClick={() => void cancel()}>Annuler la commande</Button>
            </>
          )}
        </section>
      </div>
      {isManager && <InvoiceUploadPanel order={order} onPublished={reload} />}
      <section className="card" aria-labelledby="po-title">
        <h2 id="po-title">Bon de commande</h2>
        <OrderSummary order={order} />
      </section>
    </>
  );
}
