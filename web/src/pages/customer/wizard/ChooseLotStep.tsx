import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { Vehicle } from '../../../api/types';
import { query } from '../../../api/client';
import { Alert, Empty, ErrorAlert, Field, LoadMore, Loading, SelectField, usePagedList } from '../../../ui';
import { useDebounced } from '../useDebounced';
import { MAX_LOT } from './types';

// Step 1: pick the vehicles of the lot from the account's stock (in stock only).
export function ChooseLotStep({ selected, onToggle }: {
  selected: Vehicle[];
  onToggle: (vehicle: Vehicle) => void;
}) {
  const [search, setSearch] = useState('');
  const [make, setMake] = useState('');
  const q = useDebounced(search.trim(), 300);
  const list = usePagedList<Vehicle>(`/api/vehicles${query({ status: 'in_stock', q, limit: 100 })}`);
  const makes = useMemo(() => [...new Set(list.items.map((v) => v.make))].sort((a, b) => a.localeCompare(b, 'fr')), [list.items]);
  const shown = make ? list.items.filter((v) => v.make === make) : list.items;
  const ids = new Set(selected.map((v) => v.id));

  return (
    <section aria-labelledby="step-title">
      <h2 id="step-title" tabIndex={-1}>1. Choisissez les véhicules du lot</h2>
      <p className="muted">Jusqu'à {MAX_LOT} véhicules par lot, tous enlevés à la même adresse.</p>
      <div className="filters" role="search" aria-label="Filtrer le stock">
        <Field label="Rechercher" type="search" value={search} onChange={(e) => setSearch(e.target.value)}
          hint="Marque, modèle, immatriculation, VIN ou référence" />
        <SelectField label="Marque" value={make} onChange={(e) => setMake(e.target.value)}>
          <option value="">Toutes les marques</option>
          {makes.map((m) => <option key={m} value={m}>{m}</option>)}
        </SelectField>
      </div>
      <p role="status" className="small">
        <strong>{selected.length}</strong> véhicule{selected.length > 1 ? 's' : ''} sélectionné{selected.length > 1 ? 's' : ''}
      </p>
      {selected.length >= MAX_LOT && <Alert kind="warning">Le lot est complet ({MAX_LOT} véhicules au plus).</Alert>}
      <ErrorAlert error={list.error} />
      {list.loading ? (
        <Loading label="Chargement du stock…" />
      ) : shown.length === 0 && !list.error ? (
        <Empty title={q || make ? 'Aucun véhicule ne correspond à votre recherche' : 'Aucun véhicule disponible dans votre stock'}>
          {!q && !make && <>Ajoutez des véhicules depuis la page <Link to="/stock">Stock</Link> (saisie ou import CSV).</>}
        </Empty>
      ) : (
        <div className="table-wrap" role="region" aria-label="Stock disponible" tabIndex={0}>
          <table className="table">
            <caption className="visually-hidden">Véhicules disponibles ; cochez ceux du lot</caption>
            <thead>
              <tr>
                <th scope="col" className="col-check"><span className="visually-hidden">Sélection</span></th>
                <th scope="col">Véhicule</th>
                <th scope="col">Immatriculation</th>
                <th scope="col">Référence</th>
                <th scope="col">Emplacement</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((v) => {
                const checked = ids.has(v.id);
                const id = `pick-${v.id}`;
                return (
                  <tr key={v.id}>
                    <td>
                      <input type="checkbox" id={id} checked={checked} disabled={!checked && selected.length >= MAX_LOT}
                        onChange={() => onToggle(v)} className="checkbox-input" />
                    </td>
                    <td>
                      <label htmlFor={id}>
                        <strong>{v.make} {v.model}</strong>
                        {v.version && <span className="muted"> {v.version}</span>}
                      </label>
                    </td>
                    <td className="nowrap">{v.plate ?? '—'}</td>
                    <td>{v.external_ref ?? '—'}</td>
                    <td>{v.location ?? '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
    </section>
  );
}
