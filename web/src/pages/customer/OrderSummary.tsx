import type { Order, OrderPlace } from '../../api/types';
import { formatCents, formatDateTime } from '../../ui';

function Place({ title, place }: { title: string; place: OrderPlace }) {
  return (
    <div>
      <h3>{title}</h3>
      <p>
        <strong>{place.label}</strong>
        {place.company && <><br />{place.company}</>}
        <br />{place.street}
        <br />{place.postal_code} {place.city}{place.country !== 'FR' && ` (${place.country})`}
        {place.contact_name && <><br />Contact : {place.contact_name}{place.contact_phone && ` – ${place.contact_phone}`}</>}
        {place.instructions && <><br /><span className="muted">{place.instructions}</span></>}
      </p>
    </div>
  );
}

// The content of a purchase order: places, lot, price. Used by the wizard and the order page.
export function OrderSummary({ order }: { order: Order }) {
  return (
    <>
      <div className="grid-2">
        <Place title="Enlèvement" place={order.pickup} />
        <Place title="Livraison" place={order.delivery} />
      </div>
      <h3>Lot de {order.vehicles.length} véhicule{order.vehicles.length > 1 ? 's' : ''}</h3>
      <div className="table-wrap" role="region" aria-label="Véhicules du lot" tabIndex={0}>
        <table className="table">
          <caption className="visually-hidden">Véhicules du lot</caption>
          <thead>
            <tr><th scope="col">Marque</th><th scope="col">Modèle</th><th scope="col">Immatriculation</th><th scope="col">VIN</th></tr>
          </thead>
          <tbody>
            {order.vehicles.map((v) => (
              <tr key={v.vehicle_id}><td>{v.make}</td><td>{v.model}</td><td className="nowrap">{v.plate}</td><td>{v.vin ?? '—'}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
      {order.estimate && (
        <>
          <h3>Prix estimé</h3>
          <dl className="details">
            <dt>Distance</dt><dd>{order.estimate.distance_km} km</dd>
            <dt>Montant HT</dt><dd>{formatCents(order.estimate.amount_excl_tax_cents)}</dd>
            <dt>TVA</dt><dd>{formatCents(order.estimate.vat_cents)}</dd>
            <dt>Montant TTC</dt><dd><strong>{formatCents(order.estimate.amount_incl_tax_cents)}</strong></dd>
            <dt>Devis valable jusqu'au</dt><dd>{formatDateTime(order.estimate.valid_until)}</dd>
          </dl>
        </>
      )}
    </>
  );
}
