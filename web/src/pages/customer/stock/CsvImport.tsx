import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../../api/client';
import type { ImportReport } from '../../../api/types';
import { Alert, Button, ErrorAlert } from '../../../ui';

// CSV upload: the file is sent as is (the server reads UTF-8 or Windows-1252, ; or ,).
export function CsvImport({ onImported }: { onImported: () => void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | undefined>();
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setReport(null);
    if (!file) {
      setFileError('Choisissez un fichier CSV.');
      inputRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const result = await api<ImportReport>('/api/vehicles/import', {
        method: 'POST',
        rawBody: await file.arrayBuffer(),
        contentType: 'text/csv',
      });
      setReport(result);
      onImported();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Importer un fichier CSV">
      <div className={`field${fileError ? ' field--error' : ''}`}>
        <label htmlFor="csv-file">Fichier CSV</label>
        <input ref={inputRef} id="csv-file" type="file" accept=".csv,text/csv"
          aria-invalid={fileError ? true : undefined} aria-describedby={`csv-file-hint${fileError ? ' csv-file-error' : ''}`}
          onChange={(e) => { setFile(e.target.files?.[0] ?? null); setFileError(undefined); }} />
        <p className="field__hint" id="csv-file-hint">
          Une ligne d'en-tête avec au moins <code>marque;modele;immatriculation</code> (ou <code>make,model,plate</code>),
          colonnes facultatives <code>vin</code> et <code>reference</code>. Export Excel accepté.
        </p>
        {fileError && <p className="field__error" id="csv-file-error">{fileError}</p>}
      </div>
      <Button type="submit" variant="primary" busy={busy}>Importer</Button>
      <ErrorAlert error={error} />
      {report && <ImportResult report={report} />}
    </form>
  );
}

function ImportResult({ report }: { report: ImportReport }) {
  const warnings = report.warnings ?? [];
  return (
    <div className="stack" aria-live="polite">
      <Alert kind={report.errors.length ? 'warning' : 'success'}>
        Import terminé : {report.created} créé{report.created > 1 ? 's' : ''}, {report.updated} mis à jour,{' '}
        {report.unchanged} inchangé{report.unchanged > 1 ? 's' : ''}
        {report.errors.length > 0 && <>, {report.errors.length} ligne{report.errors.length > 1 ? 's' : ''} rejetée{report.errors.length > 1 ? 's' : ''}</>}.
      </Alert>
      {report.errors.length > 0 && <LineTable title="Lignes rejetées" lines={report.errors} />}
      {warnings.length > 0 && <LineTable title="Lignes importées à vérifier" lines={warnings} />}
    </div>
  );
}

function LineTable({ title, lines }: { title: string; lines: { line: number; message: string }[] }) {
  return (
    <>
      <h3>{title}</h3>
      <div className="table-wrap" role="region" aria-label={title} tabIndex={0}>
        <table className="table">
          <caption className="visually-hidden">{title}</caption>
          <thead><tr><th scope="col">Ligne</th><th scope="col">Motif</th></tr></thead>
          <tbody>
            {lines.map((l, i) => <tr key={`${l.line}-${i}`}><td className="num">{l.line}</td><td>{l.message}</td></tr>)}
          </tbody>
        </table>
      </div>
    </>
  );
}
