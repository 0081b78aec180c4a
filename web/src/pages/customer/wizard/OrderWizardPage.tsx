import { useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, ApiError, errorMessage } from '../../../api/client';
import type { Address, Order, QuoteRequest, Vehicle } from '../../../api/types';
import { Alert, Button, PageHeader, usePagedList } from '../../../ui';
import { ChooseLotStep } from './ChooseLotStep';
import { CheckVehiclesStep, checkDrafts } from './CheckVehiclesStep';
import { EstimateStep } from './EstimateStep';
import { PlacesStep, type PlacesValue } from './PlacesStep';
import { PurchaseOrderStep } from './PurchaseOrderStep';
import { StepIndicator } from './StepIndicator';
import { ValidateStep } from './ValidateStep';
import type { VehicleDraft } from './types';

// The six-step order: lot, check, places, ERP estimate, purchase order, validation.
// Steps 1-3 are local; step 4 creates the quoted order (vehicles reserved), so going back
// after it means cancelling that quote.
export function OrderWizardPage() {
  const navigate = useNavigate();
  const topRef = useRef<HTMLDivElement>(null);
  const [step, setStep] = useState(1);
  const [drafts, setDrafts] = useState<VehicleDraft[]>([]);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [checkSubmitted, setCheckSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [places, setPlaces] = useState<PlacesValue>({ pickupId: '', deliveryId: '', reference: '' });
  const [placesSubmitted, setPlacesSubmitted] = useState(false);
  const [stepError, setStepError] = useState<string | null>(null);
  const [order, setOrder] = useState<Order | null>(null);
  const [quoting, setQuoting] = useState(false);
  const [quoteError, setQuoteError] = useState<unknown>(null);
  const [accepted, setAccepted] = useState(false);
  const [acceptError, setAcceptError] = useState<string | undefined>();
  const [validating, setValidating] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const addresses = usePagedList<Address>('/api/addresses?limit=200');

  function go(next: number) {
    setStepError(null);
    setStep(next);
    // Bring keyboard and screen-reader users to the new step's title.
    requestAnimationFrame(() => {
      topRef.current?.scrollIntoView({ block: 'start' });
      document.getElementById('step-title')?.focus();
    });
  }

  function toggle(vehicle: Vehicle) {
    setStepError(null);
    setDrafts((ds) =>
      ds.some((d) => d.vehicle.id === vehicle.id)
        ? ds.filter((d) => d.vehicle.id !== vehicle.id)
        : [...ds, { vehicle, make: vehicle.make, model: vehicle.model, plate: vehicle.plate ?? '' }],
    );
  }

  function editDraft(i: number, patch: Partial<Pick<VehicleDraft, 'make' | 'model' | 'plate'>>) {
    setStepError(null);
    setDrafts((ds) => ds.map((d, j) => (j === i ? { ...d, ...patch } : d)));
    setTouched((t) => new Set([...t, ...Object.keys(patch).map((k) => `vehicles[${i}].${k}`)]));
    setServerErrors((e) => {
      const rest = { ...e };
      for (const k of Object.keys(patch)) delete rest[`vehicles[${i}].${k}`];
      return rest;
    });
  }

  const liveErrors = checkDrafts(drafts);
  const shownDraftErrors: Record<string, string> = { ...serverErrors };
  for (const [k, v] of Object.entries(liveErrors)) if (checkSubmitted || touched.has(k)) shownDraftErrors[k] = v;

  const placeErrors: Record<string, string> = {};
  if (placesSubmitted) {
    if (!places.pickupId) placeErrors.pickup_address_id = "Choisissez l'adresse d'enlèvement.";
    if (!places.deliveryId) placeErrors.delivery_address_id = "Choisissez l'adresse de livraison.";
    if (places.pickupId && places.pickupId === places.deliveryId) {
      placeErrors.delivery_address_id = "L'adresse de livraison doit différer de l'adresse d'enlèvement.";
    }
  }
  const shownPlaceErrors = { ...placeErrors, ...pick(serverErrors, ['pickup_address_id', 'delivery_address_id', 'customer_reference']) };

  async function requestQuote() {
    const body: QuoteRequest = {
      vehicles: drafts.map((d) => ({ vehicle_id: d.vehicle.id, make: d.make.trim(), model: d.model.trim(), plate: d.plate.trim() })),
      pickup_address_id: places.pickupId,
      delivery_address_id: places.deliveryId,
      customer_reference: places.reference.trim() || undefined,
    };
    go(4);
    setQuoting(true);
    setQuoteError(null);
    try {
      setOrder(await api<Order>('/api/quotes', { body }));
    } catch (err) {
      routeQuoteError(err);
    } finally {
      setQuoting(false);
    }
  }

  /** Sends the user back to the step whose field the server refused. */
  function routeQuoteError(err: unknown) {
    if (err instanceof ApiError && err.errors.length) {
      const fields = Object.fromEntries(err.errors.map((e) => [e.field, e.message]));
      setServerErrors(fields);
      const names = Object.keys(fields);
      if (names.some((f) => f.startsWith('vehicles['))) {
        setCheckSubmitted(true);
        go(2);
        setStepError(err.detail);
        return;
      }
      if (names.some((f) => ['pickup_address_id', 'delivery_address_id', 'customer_reference'].includes(f))) {
        go(3);
        setStepError(err.detail);
        return;
      }
      if (names.includes('vehicles')) {
        go(1);
        setStepError(err.detail);
        return;
      }
    }
    if (err instanceof ApiError && err.code === 'vehicle_unavailable') {
      go(1);
      setStepError(`${err.detail} Retirez-le du lot.`);
      return;
    }
    setQuoteError(err);
  }

  function next() {
    if (step === 1) {
      if (drafts.length === 0) return setStepError('Choisissez au moins un véhicule.');
      return go(2);
    }
    if (step === 2) {
      setCheckSubmitted(true);
      if (Object.keys(liveErrors).length) {
        setStepError('Corrigez les champs signalés avant de continuer.');
        requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
        return;
      }
      return go(3);
    }
    if (step === 3) {
      setPlacesSubmitted(true);
      const missing = !places.pickupId || !places.deliveryId || places.pickupId === places.deliveryId;
      if (missing) {
        setStepError('Choisissez deux adresses différentes pour l\'enlèvement et la livraison.');
        return;
      }
      void requestQuote();
      return;
    }
    if (step === 4 || step === 5) go(step + 1);
  }

  async function validate() {
    if (!order) return;
    if (!accepted) {
      setAcceptError('Acceptez les conditions générales pour valider la commande.');
      document.getElementById('accept-terms')?.focus();
      return;
    }
    setValidating(true);
    setStepError(null);
    try {
      const validated = await api<Order>(`/api/orders/${order.id}/validate`, { body: { accept_terms: true } });
      navigate(`/commandes/${validated.id}`, { state: { justValidated: true } });
    } catch (err) {
      const field = err instanceof ApiError ? err.errors.find((e) => e.field === 'accept_terms') : undefined;
      if (field) setAcceptError(field.message);
      else if (err instanceof ApiError && err.code === 'quote_expired') {
        // The vehicles are free again: the same lot and places can be quoted anew.
        setOrder(null);
        setAccepted(false);
        go(3);
        setStepError(err.detail);
      } else setStepError(errorMessage(err));
    } finally {
      setValidating(false);
    }
  }

  /** Frees the reserved vehicles so that the user can change the lot. */
  async function cancelQuote() {
    if (!order) return;
    setCancelling(true);
    try {
      await api<Order>(`/api/orders/${order.id}/cancel`, { body: { reason: 'Modification du lot avant validation' } });
      setOrder(null);
      setAccepted(false);
      go(1);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        // Already expired or cancelled: nothing is reserved any more.
        setOrder(null);
        setAccepted(false);
        go(1);
      } else setStepError(errorMessage(err));
    } finally {
      setCancelling(false);
    }
  }

  const quoted = order !== null;
  return (
    <>
      <div ref={topRef} />
      <PageHeader title="Nouvelle commande" subtitle="Transport d'un lot de véhicules en six étapes." />
      <StepIndicator current={step} />
      {stepError && <Alert>{stepError}</Alert>}

      {step === 1 && <ChooseLotStep selected={drafts.map((d) => d.vehicle)} onToggle={toggle} />}
      {step === 2 && <CheckVehiclesStep drafts={drafts} errors={shownDraftErrors} onChange={editDraft} />}
      {step === 3 && (
        <PlacesStep addresses={addresses} value={places} errors={shownPlaceErrors}
          onChange={(patch) => {
            setStepError(null);
            setPlaces((p) => ({ ...p, ...patch }));
            setServerErrors((e) => ({ ...e, pickup_address_id: '', delivery_address_id: '', customer_reference: '' }));
          }} />
      )}
      {step === 4 && <EstimateStep order={order} pending={quoting} error={quoteError} onRetry={() => void requestQuote()} />}
      {step === 5 && order && <PurchaseOrderStep order={order} />}
      {step === 6 && order && (
        <ValidateStep order={order} accepted={accepted} error={acceptError}
          onAccept={(a) => { setAccepted(a); setAcceptError(undefined); }} />
      )}

      <div className="wizard-nav">
        <div className="row">
          {step > 1 && !quoted && step < 4 && <Button onClick={() => go(step - 1)}>Précédent</Button>}
          {step === 4 && !quoted && !quoting && <Button onClick={() => go(3)}>Précédent</Button>}
          {step > 4 && <Button onClick={() => go(step - 1)}>Précédent</Button>}
          {quoted && step >= 4 && (
            <Button variant="danger" busy={cancelling} onClick={() => void cancelQuote()}>
              Abandonner ce devis et modifier le lot
            </Button>
          )}
        </div>
        <div className="row">
          {step < 3 && <Button variant="primary" onClick={next}>Continuer</Button>}
          {step === 3 && <Button variant="primary" onClick={next}>Demander le devis</Button>}
          {(step === 4 || step === 5) && quoted && <Button variant="primary" onClick={next}>Continuer</Button>}
          {step === 6 && <Button variant="primary" busy={validating} onClick={() => void validate()}>Valider la commande</Button>}
        </div>
      </div>
    </>
  );
}

function pick(source: Record<string, string>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (source[k]) out[k] = source[k];
  return out;
}
