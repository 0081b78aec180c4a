// The three steps of publishing an invoice: ask for a presigned URL, PUT the file
// to it (XMLHttpRequest, for upload progress), then ask the API to publish it.

import { api, ApiError } from '../../../api/client';
import type { InvoiceUploadUrl, Order } from '../../../api/types';

/** Headers the browser sets itself and refuses from scripts. */
const BROWSER_SET_HEADERS = new Set(['content-length', 'host', 'connection']);

export function requestUploadUrl(orderId: string, file: File): Promise<InvoiceUploadUrl> {
  return api<InvoiceUploadUrl>(`/api/orders/${encodeURIComponent(orderId)}/invoice/upload-url`, {
    method: 'POST',
    body: { content_type: 'application/pdf', size: file.size },
  });
}

/** PUTs the file exactly as presigned; `onProgress` gets 0..1. */
export function putFile(
  ticket: InvoiceUploadUrl,
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(ticket.method || 'PUT', ticket.url);
    for (const [name, value] of Object.entries(ticket.headers ?? {})) {
      // content-length is signed, and the browser sends the file's exact size.
      if (!BROWSER_SET_HEADERS.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        reject(new ApiError(xhr.status, 'upload_failed', uploadFailure(xhr.status)));
      }
    };
    xhr.onerror = () =>
      reject(new ApiError(0, 'network_error', "L'envoi du fichier a échoué : vérifiez votre connexion puis réessayez."));
    xhr.onabort = () => reject(new DOMException('Envoi annulé', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

function uploadFailure(status: number): string {
  if (status === 403) return "Le lien d'envoi a expiré ou a été refusé : recommencez l'envoi.";
  if (status === 413) return 'Le fichier est trop volumineux (10 Mo au plus).';
  return `Le stockage a refusé le fichier (erreur ${status}) : recommencez l'envoi.`;
}

export function publishInvoice(orderId: string, uploadId: string): Promise<Order> {
  return api<Order>(`/api/orders/${encodeURIComponent(orderId)}/invoice`, {
    method: 'POST',
    body: { upload_id: uploadId },
  });
}
