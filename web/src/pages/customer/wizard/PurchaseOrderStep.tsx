import type { Order } from '../../../api/types';
import { OrderSummary } from '../OrderSummary';

// Step 5: the complete purchase order, on screen and as the PDF the server renders.
export function PurchaseOrderStep({ order }: { order: Order }) {
  return (
    <section aria-labelledby="step-title">
      <h2 id="step-title" tabIndex={-1}>5. Bon de commande {order.number}</h2>
      <div className="card">
        <p className="muted">
          Compte {order.account_name}
          {order.customer_reference && <> – votre référence : <strong>{order.customer_reference}</strong></>}
        </p>
        <OrderSummary order={order} />
        <p>
          <a className="btn btn--secondary" href={`/api/orders/${order.id}/purchase-order`} download={`bon-de-commande-${order.number}.pdf`}>
            Télécharger le bon de commande (PDF)
          </a>
        </p>
      </div>
    </section>
  );
}
