import { useState } from 'react';
import { query } from '../../api/client';
import type { Vehicle } from '../../api/types';
import { Alert, DataTable, Empty, ErrorAlert, Field, LoadMore, Loading, PageHeader, SelectField, usePagedList } from '../../ui';
import { CsvImport } from './stock/CsvImport';
import { sourceName } from './stock/providers';
import { SyncPanel } from './stock/SyncPanel';
import { VehicleForm } from './stock/VehicleForm';
import { useDebounced } from './useDebounced';

const STATUS_LABELS: Record<string, string> = { in_stock: 'En stock', in_order: 'En commande', removed: 'Retiré' };

// The account's vehicle stock: list, hand entry, CSV import, sync with the stock tool.
export function StockPage() {
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState('');
  const q = useDebounced(search.trim(), 300);
  const list = usePagedList<Vehicle>(`/api/vehicles${query({ q, status, limit: 100 })}`);
  const [panel, setPanel] = useState<'add' | 'import' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);

  function created(v: Vehicle) {
    list.setItems((items) => [v, ...items]);
    setNotice(`${v.make} ${v.model}${v.plate ? ` (${v.plate})` : ''} a été ajouté au stock.`);
    setWarnings((v.warnings ?? []).map((w) => w.message));
  }

  return (
    <>
      <PageHeader
        title="Stock de véhicules"
        actions={
          <>
            <button type="button" className={`btn ${panel === 'add' ? 'btn--primary' : 'btn--secondary'}`} aria-expanded={panel === 'add'}
              onClick={() => setPanel(panel === 'add' ? null : 'add')}>Ajouter un véhicule</button>
            <button type="button" className={`btn ${panel === 'import' ? 'btn--primary' : 'btn--secondary'}`} aria-expanded={panel === 'import'}
              onClick={() => setPanel(panel === 'import' ? null : 'import')}>Importer un CSV</button>
          </>
        }
      />
      {notice && <Alert kind="success">{notice}</Alert>}
      {warnings.map((w) => <Alert key={w} kind="warning">{w}</Alert>)}
      {panel === 'add' && (
        <section className="card" aria-labelledby="add-title">
          <h2 id="add-title">Ajouter un véhicule</h2>
          <VehicleForm onCreated={created} />
        </section>
      )}
      {panel === 'import' && (
        <section className="card" aria-labelledby="import-title">
          <h2 id="import-title">Importer un fichier CSV</h2>
          <CsvImport onImported={list.reload} />
        </section>
      )}
      <section className="card" aria-labelledby="sync-title">
        <h2 id="sync-title">Synchronisation avec votre logiciel de stock</h2>
        <SyncPanel onSynced={list.reload} />
      </section>

      <h2>Véhicules</h2>
      <div className="filters" role="search" aria-label="Filtrer le stock">
        <Field label="Rechercher" type="search" value={search} onChange={(e) => setSearch(e.target.value)}
          hint="Marque, modèle, immatriculation, VIN" />
        <SelectField label="Statut" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">Tous</option>
          {Object.entries(STATUS_LABELS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
        </SelectField>
      </div>
      <ErrorAlert error={list.error} />
      {list.loading ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        <Empty title={q || status ? 'Aucun véhicule ne correspond à ces filtres' : 'Votre stock est vide'}>
          {!q && !status && 'Ajoutez un véhicule, importez un fichier CSV ou demandez à STVA de relier votre logiciel de stock.'}
        </Empty>
      ) : (
        <DataTable
          caption="Véhicules du stock"
          rows={list.items}
          rowKey={(v) => v.id}
          columns={[
            { header: 'Véhicule', cell: (v) => <><strong>{v.make} {v.model}</strong>{v.version && <span className="muted"> {v.version}</span>}</> },
            { header: 'Immatriculation', cell: (v) => v.plate ?? '—', className: 'nowrap' },
            { header: 'VIN', cell: (v) => v.vin ?? '—' },
            { header: 'Référence', cell: (v) => v.external_ref ?? '—' },
            { header: 'Source', cell: (v) => sourceName(v.source) },
            { header: 'Statut', cell: (v) => <span className={`badge badge--${v.status}`}>{STATUS_LABELS[v.status] ?? v.status}</span> },
          ]}
        />
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
    </>
  );
}
