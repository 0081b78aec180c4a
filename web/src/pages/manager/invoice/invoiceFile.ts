// Client-side checks of an invoice file, so the manager learns at once (in French)
// what the server would refuse anyway: PDF only, 1 byte to 10 MB.

/** The server's limit (`shared::app::invoices::MAX_INVOICE_BYTES`). */
export const MAX_INVOICE_BYTES = 10 * 1024 * 1024;

const PDF_MAGIC = '%PDF-';

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} o`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 0 })} Ko`;
  return `${(bytes / (1024 * 1024)).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
}

/** Cheap checks on name, type and size; null when the file may be sent. */
export function invoiceFileProblem(file: File): string | null {
  // Some systems give no MIME type: the .pdf extension is then enough here,
  // the magic bytes are checked next.
  const looksPdf = file.type === 'application/pdf' || (file.type === '' && /\.pdf$/i.test(file.name));
  if (!looksPdf) return `« ${file.name} » n'est pas un PDF : la facture doit être un fichier PDF.`;
  if (file.size === 0) return `« ${file.name} » est vide.`;
  if (file.size > MAX_INVOICE_BYTES) {
    return `« ${file.name} » fait ${formatSize(file.size)} : la facture ne doit pas dépasser 10 Mo.`;
  }
  return null;
}

/** Reads the first bytes: a renamed image is refused before any upload. */
export async function hasPdfSignature(file: File): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, PDF_MAGIC.length).arrayBuffer());
  return String.fromCharCode(...head) === PDF_MAGIC;
}
