import { useState } from 'react';
import { api, ApiError, errorMessage } from '../../api/client';
import type { Order } from '../../api/types';
import { Alert, Button } from '../../ui';
import { ValidateStep } from './wizard/ValidateStep';

// A quote left at step 5 or 6 of the wizard can still be validated from its page.
export function ValidateQuotePanel({ order, onValidated }: { order: Order; onValidated: (o: Order) => void }) {
  const [accepted, setAccepted] = useState(false);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function validate() {
    if (!accepted) {
      setFieldError('Acceptez les conditions générales pour valider la commande.');
      document.getElementById('accept-terms')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onValidated(await api<Order>(`/api/orders/${order.id}/validate`, { body: { accept_terms: true } }));
    } catch (err) {
      const field = err instanceof ApiError ? err.errors.find((e) => e.field === 'accept_terms') : undefined;
      if (field) setFieldError(field.message);
      else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      {error && <Alert>{error}</Alert>}
      <ValidateStep order={order} accepted={accepted} error={fieldError} headingLevel="h2"
        onAccept={(a) => { setAccepted(a); setFieldError(undefined); }} />
      <div className="form-actions">
        <Button variant="primary" busy={busy} onClick={() => void validate()}>Valider la commande</Button>
      </div>
    </>
  );
}
