import { useState } from 'react';
import type { Address } from '../../../api/types';
import { Button, Empty, ErrorAlert, Field, formatPlace, Loading, SelectField, type PagedList } from '../../../ui';
import { AddressForm } from '../AddressForm';

export interface PlacesValue {
  pickupId: string;
  deliveryId: string;
  reference: string;
}

// Step 3: pickup and delivery from the address book, or a new address added on the spot.
export function PlacesStep({ addresses, value, errors, onChange }: {
  addresses: PagedList<Address>;
  value: PlacesValue;
  errors: Record<string, string>;
  onChange: (patch: Partial<PlacesValue>) => void;
}) {
  const [adding, setAdding] = useState<'pickup' | 'delivery' | null>(null);
  const byId = new Map(addresses.items.map((a) => [a.id, a]));

  function added(address: Address) {
    addresses.setItems((items) => [address, ...items]);
    onChange(adding === 'pickup' ? { pickupId: address.id } : { deliveryId: address.id });
    setAdding(null);
  }

  function placeSelect(kind: 'pickup' | 'delivery') {
    const field = kind === 'pickup' ? 'pickup_address_id' : 'delivery_address_id';
    const current = kind === 'pickup' ? value.pickupId : value.deliveryId;
    const chosen = byId.get(current);
    return (
      <div className="card">
        <h3>{kind === 'pickup' ? "Lieu d'enlèvement" : 'Lieu de livraison'}</h3>
        <SelectField id={`${kind}-select`} label={kind === 'pickup' ? "Adresse d'enlèvement" : 'Adresse de livraison'} required
          value={current} error={errors[field]}
          onChange={(e) => onChange(kind === 'pickup' ? { pickupId: e.target.value } : { deliveryId: e.target.value })}>
          <option value="">Choisir dans le carnet…</option>
          {addresses.items.map((a) => (
            <option key={a.id} value={a.id}>{a.label} – {a.postal_code} {a.city}</option>
          ))}
        </SelectField>
        {chosen && (
          <p className="small muted">
            {formatPlace(chosen)}
            {chosen.contact_name && <><br />Contact : {[chosen.contact_name, chosen.contact_phone].filter(Boolean).join(' – ')}</>}
          </p>
        )}
        {adding !== kind && (
          <Button className="btn--small" onClick={() => setAdding(kind)}>
            Ajouter une adresse {kind === 'pickup' ? "d'enlèvement" : 'de livraison'}
          </Button>
        )}
      </div>
    );
  }

  return (
    <section aria-labelledby="step-title">
      <h2 id="step-title" tabIndex={-1}>3. Lieux d'enlèvement et de livraison</h2>
      <ErrorAlert error={addresses.error} />
      {addresses.loading ? (
        <Loading label="Chargement du carnet d'adresses…" />
      ) : (
        <>
          {addresses.items.length === 0 && !adding && (
            <Empty title="Votre carnet d'adresses est vide">Ajoutez ci-dessous le lieu d'enlèvement puis celui de livraison.</Empty>
          )}
          <div className="grid-2">
            {placeSelect('pickup')}
            {placeSelect('delivery')}
          </div>
          {adding && (
            <section className="card" aria-labelledby="add-place-title">
              <h3 id="add-place-title">Nouvelle adresse {adding === 'pickup' ? "d'enlèvement" : 'de livraison'}</h3>
              <AddressForm idPrefix={`wizard-${adding}`} onSaved={added} onCancel={() => setAdding(null)} />
            </section>
          )}
          <Field label="Votre référence (facultatif)" value={value.reference} maxLength={60}
            hint="Reprise sur le bon de commande et la facture, 60 caractères au plus"
            error={errors.customer_reference} onChange={(e) => onChange({ reference: e.target.value })} />
        </>
      )}
    </section>
  );
}
