import type { Order } from '../../../api/types';
import { formatCents, formatDateTime } from '../../../ui';

// Step 6: the user accepts the terms and validates; the order then goes to the ERP.
export function ValidateStep({ order, accepted, error, onAccept, headingLevel }: {
  order: Order;
  accepted: boolean;
  error?: string;
  onAccept: (accepted: boolean) => void;
  /** Outside the wizard (the order page) the title is not a step. */
  headingLevel?: 'h2';
}) {
  return (
    <section aria-labelledby="step-title">
      <h2 id="step-title" tabIndex={-1}>{headingLevel ? 'Valider ce devis' : '6. Validation de la commande'}</h2>
      <div className="card">
        <p>
          Vous allez commander le transport de <strong>{order.vehicles.length} véhicule{order.vehicles.length > 1 ? 's' : ''}</strong> de{' '}
          <strong>{order.pickup.city}</strong> à <strong>{order.delivery.city}</strong>
          {order.estimate && <> pour <strong>{formatCents(order.estimate.amount_incl_tax_cents)} TTC</strong></>}.
        </p>
        {order.estimate && <p className="small muted">Devis valable jusqu'au {formatDateTime(order.estimate.valid_until)}.</p>}
        <div className={`field${error ? ' field--error' : ''}`}>
          <div className="checkbox">
            <input id="accept-terms" type="checkbox" checked={accepted} onChange={(e) => onAccept(e.target.checked)}
              aria-invalid={error ? true : undefined} aria-describedby={error ? 'accept-terms-error' : undefined} />
            <label htmlFor="accept-terms">
              J'ai lu et j'accepte les conditions générales de transport de STVA et je valide le bon de commande {order.number}.
            </label>
          </div>
          {error && <p className="field__error" id="accept-terms-error">{error}</p>}
        </div>
      </div>
    </section>
  );
}
