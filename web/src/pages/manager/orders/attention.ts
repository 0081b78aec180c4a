// French labels of the reasons an order needs a manager's attention (`needs_attention`).
import type { AttentionCode } from '../../../api/types';

export const ATTENTION_LABELS: Record<AttentionCode, string> = {
  awaiting_erp: "Pas encore transmise à l'ERP",
  awaiting_confirmation: "Non confirmée par l'ERP",
  invoice_missing: 'Facture manquante',
};

export function attentionLabel(code: string): string {
  return ATTENTION_LABELS[code as AttentionCode] ?? code;
}
