import { useEffect, useState } from 'react';
import type { Order } from '../../../api/types';
import { Alert, Button, ErrorAlert, formatCents, formatDateTime } from '../../../ui';

const STAGES = ['Envoi du lot à l\'ERP STVA…', 'Calcul de l\'itinéraire…', 'Calcul du prix…'];

// Step 4: the ERP prices the lot; a progress indicator while it answers (it may be slow).
export function EstimateStep({ order, pending, error, onRetry }: {
  order: Order | null;
  pending: boolean;
  error: unknown;
  onRetry: () => void;
}) {
  const [elapsed, setElapsed] = useState(0);
  useEffect(() => {
    if (!pending) return;
    setElapsed(0);
    const t = setInterval(() => setElapsed((s) => s + 1), 700);
    return () => clearInterval(t);
  }, [pending]);

  const percent = Math.min(90, 15 + elapsed * 12);
  return (
    <section aria-labelledby="step-title">
      <h2 id="step-title" tabIndex={-1}>4. Devis de l'ERP</h2>
      {pending && (
        <div className="card" aria-live="polite">
          <p>{STAGES[Math.min(STAGES.length - 1, Math.floor(elapsed / 2))]}</p>
          <div className="progress" role="progressbar" aria-label="Demande de devis en cours" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
            <div className="progress__bar" style={{ width: `${percent}%` }} />
          </div>
          <p className="small muted">L'ERP répond en général en quelques secondes.</p>
        </div>
      )}
      {!pending && error != null && (
        <>
          <ErrorAlert error={error} />
          <Button variant="primary" onClick={onRetry}>Réessayer</Button>
        </>
      )}
      {!pending && order?.estimate && (
        <div className="card">
          <Alert kind="success">Devis {order.number} obtenu.</Alert>
          <dl className="details">
            <dt>Distance</dt><dd>{order.estimate.distance_km} km</dd>
            <dt>Montant HT</dt><dd>{formatCents(order.estimate.amount_excl_tax_cents)}</dd>
            <dt>TVA</dt><dd>{formatCents(order.estimate.vat_cents)}</dd>
            <dt>Montant TTC</dt><dd className="total">{formatCents(order.estimate.amount_incl_tax_cents)}</dd>
            <dt>Valable jusqu'au</dt><dd>{formatDateTime(order.estimate.valid_until)}</dd>
          </dl>
        </div>
      )}
    </section>
  );
}
