import { useState } from 'react';
import { api } from '../../api/client';
import type { Address } from '../../api/types';
import { Alert, Button, Empty, ErrorAlert, formatPlace, LoadMore, Loading, PageHeader, usePagedList } from '../../ui';
import { AddressForm } from './AddressForm';

// The account's pickup and delivery places: list, add, edit, delete.
export function AddressBookPage() {
  const list = usePagedList<Address>('/api/addresses?limit=100');
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  async function remove(address: Address) {
    if (!window.confirm(`Supprimer l'adresse « ${address.label} » ?`)) return;
    setActionError(null);
    try {
      await api<void>(`/api/addresses/${address.id}`, { method: 'DELETE' });
      list.setItems((items) => items.filter((a) => a.id !== address.id));
      setNotice(`L'adresse « ${address.label} » a été supprimée.`);
    } catch (err) {
      setActionError(err);
    }
  }

  function saved(address: Address, isNew: boolean) {
    list.setItems((items) => (isNew ? [address, ...items] : items.map((a) => (a.id === address.id ? address : a))));
    setEditing(null);
    setNotice(isNew ? `L'adresse « ${address.label} » a été ajoutée.` : `L'adresse « ${address.label} » a été modifiée.`);
  }

  return (
    <>
      <PageHeader
        title="Carnet d'adresses"
        subtitle="Les lieux d'enlèvement et de livraison de vos véhicules."
        actions={editing !== 'new' && (
          <Button variant="primary" onClick={() => { setEditing('new'); setNotice(null); }}>
            Ajouter une adresse
          </Button>
        )}
      />
      {notice && <Alert kind="success">{notice}</Alert>}
      <ErrorAlert error={actionError} />
      {editing === 'new' && (
        <section className="card" aria-labelledby="new-address-title">
          <h2 id="new-address-title">Nouvelle adresse</h2>
          <AddressForm idPrefix="new-address" onSaved={(a) => saved(a, true)} onCancel={() => setEditing(null)} />
        </section>
      )}
      <ErrorAlert error={list.error} />
      {list.loading ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        <Empty title="Aucune adresse pour le moment">
          Ajoutez vos dépôts et agences pour les choisir en un clic lors de vos commandes.
        </Empty>
      ) : (
        <ul className="selection-list grid-2">
          {list.items.map((a) => (
            <li key={a.id} className="card">
              {editing === a.id ? (
                <>
                  <h2>Modifier « {a.label} »</h2>
                  <AddressForm idPrefix={`address-${a.id}`} address={a} onSaved={(s) => saved(s, false)} onCancel={() => setEditing(null)} />
                </>
              ) : (
                <>
                  <h2>{a.label}</h2>
                  <p>
                    {formatPlace(a)}
                    {a.country !== 'FR' && ` (${a.country})`}
                  </p>
                  {(a.contact_name || a.contact_phone) && (
                    <p className="muted small">Contact : {[a.contact_name, a.contact_phone].filter(Boolean).join(' – ')}</p>
                  )}
                  {a.instructions && <p className="muted small">{a.instructions}</p>}
                  <div className="form-actions">
                    <Button className="btn--small" onClick={() => { setEditing(a.id); setNotice(null); }} aria-label={`Modifier ${a.label}`}>
                      Modifier
                    </Button>
                    <Button className="btn--small" variant="danger" onClick={() => remove(a)} aria-label={`Supprimer ${a.label}`}>
                      Supprimer
                    </Button>
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
    </>
  );
}
