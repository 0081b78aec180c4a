// The manager's invoice panel on the order page: pick or drop a PDF (10 MB at most),
// watch it upload to the presigned URL, then publish it to the customer.
import { useId, useRef, useState, type DragEvent } from 'react';
import { ApiError, errorMessage } from '../../api/client';
import type { Order } from '../../api/types';
import { Alert, Button, formatDateTime } from '../../ui';
import { formatSize, hasPdfSignature, invoiceFileProblem } from './invoice/invoiceFile';
import { publishInvoice, putFile, requestUploadUrl } from './invoice/uploadInvoice';

type Step = 'idle' | 'preparing' | 'uploading' | 'publishing' | 'done';

/** The field message of a refused upload says why; the generic detail does not. */
function uploadError(err: unknown): string {
  if (err instanceof ApiError && err.errors.length > 0) return err.errors.map((e) => e.message).join(' ');
  return errorMessage(err);
}

export function InvoiceUploadPanel({ order, onPublished }: { order: Order; onPublished: () => void }) {
  const inputId = useId();
  const hintId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const abortRef = useRef<AbortController | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [step, setStep] = useState<Step>('idle');
  const [progress, setProgress] = useState(0);
  const [dragging, setDragging] = useState(false);
  const busy = step === 'preparing' || step === 'uploading' || step === 'publishing';
  const replacing = order.invoice.available;

  async function choose(picked: File | undefined) {
    setStep('idle');
    setProgress(0);
    setFile(null);
    if (!picked) return;
    const cheap = invoiceFileProblem(picked);
    if (cheap) {
      setProblem(cheap);
      return;
    }
    if (!(await hasPdfSignature(picked))) {
      setProblem(`« ${picked.name} » ne semble pas être un vrai PDF : exportez la facture en PDF puis réessayez.`);
      return;
    }
    setProblem(null);
    setFile(picked);
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    if (busy) return;
    if (e.dataTransfer.files.length > 1) {
      setProblem('Déposez un seul fichier : la facture de cette commande.');
      return;
    }
    void choose(e.dataTransfer.files[0]);
  }

  async function send() {
    if (!file) return;
    const controller = new AbortController();
    abortRef.current = controller;
    setProblem(null);
    setProgress(0);
    try {
      setStep('preparing');
      const ticket = await requestUploadUrl(order.id, file);
      setStep('uploading');
      await putFile(ticket, file, setProgress, controller.signal);
      setStep('publishing');
      await publishInvoice(order.id, ticket.upload_id);
      setStep('done');
      setFile(null);
      if (inputRef.current) inputRef.current.value = '';
      onPublished();
    } catch (err) {
      setStep('idle');
      if (err instanceof DOMException && err.name === 'AbortError') {
        setProblem('Envoi annulé.');
      } else {
        setProblem(uploadError(err));
      }
    } finally {
      abortRef.current = null;
    }
  }

  const percent = Math.round(progress * 100);
  return (
    <section className="card mgr-invoice" aria-labelledby={`${inputId}-title`}>
      <h2 id={`${inputId}-title`}>Facture</h2>
      {order.invoice.available ? (
        // The download link is in the order's "Documents" card, for customers and managers alike.
        <p>Facture publiée le {formatDateTime(order.invoice.uploaded_at)} ; vous pouvez la remplacer.</p>
      ) : (
        <p className="muted">Aucune facture n'est encore publiée pour cette commande.</p>
      )}
      {step === 'done' && (
        <Alert kind="success">Facture publiée : le client a été prévenu par e-mail et peut la télécharger.</Alert>
      )}

      <div
        className={`mgr-dropzone${dragging ? ' mgr-dropzone--over' : ''}${busy ? ' mgr-dropzone--busy' : ''}`}
        onDragEnter={(e) => { e.preventDefault(); if (!busy) setDragging(true); }}
        onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = busy ? 'none' : 'copy'; }}
        onDragLeave={(e) => { if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false); }}
        onDrop={onDrop}
        role="group"
        aria-label="Dépôt du PDF de la facture"
      >
        <p className="mgr-dropzone__text" aria-hidden="true">Déposez le PDF de la facture ici, ou</p>
        {/* The real input stays focusable: Tab reaches it, Entrée or Espace opens the picker. */}
        <input
          ref={inputRef}
          id={inputId}
          className="mgr-file-input"
          type="file"
          accept="application/pdf,.pdf"
          aria-describedby={hintId}
          disabled={busy}
          onChange={(e) => void choose(e.target.files?.[0])}
        />
        <label htmlFor={inputId} className="btn btn--secondary">
          {replacing ? 'Choisir un nouveau PDF' : 'Choisir le PDF de la facture'}
        </label>
        <p id={hintId} className="field__hint">Format PDF uniquement, 10 Mo au plus.</p>
      </div>

      {problem && <Alert kind="error">{problem}</Alert>}

      {file && step !== 'done' && (
        <p className="mgr-file">
          <strong>{file.name}</strong> ({formatSize(file.size)})
        </p>
      )}

      {(step === 'preparing' || step === 'uploading' || step === 'publishing') && (
        <div className="mgr-progress">
          <label htmlFor={`${inputId}-progress`}>
            {step === 'preparing' ? 'Préparation de l\'envoi…' : step === 'uploading' ? `Envoi du fichier : ${percent} %` : 'Publication de la facture…'}
          </label>
          <progress id={`${inputId}-progress`} max={100} value={step === 'preparing' ? 0 : step === 'publishing' ? 100 : percent}>
            {percent} %
          </progress>
        </div>
      )}

      <div className="mgr-actions">
        <Button variant="primary" onClick={send} disabled={!file} busy={busy}>
          {replacing ? 'Remplacer la facture' : 'Publier la facture'}
        </Button>
        {step === 'uploading' && (
          <Button variant="secondary" onClick={() => abortRef.current?.abort()}>Annuler l'envoi</Button>
        )}
      </div>
      {replacing && <p className="field__hint">La facture remplacée reste archivée ; le client ne verra que la nouvelle.</p>}
    </section>
  );
}
