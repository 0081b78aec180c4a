import type { OrderStatus } from '../api/types';

export const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  quoted: 'Devis',
  expired: 'Devis expiré',
  validated: 'Validée',
  confirmed: 'Confirmée',
  scheduled: 'Planifiée',
  picked_up: 'Enlevée',
  in_transit: 'En transit',
  delivered: 'Livrée',
  cancelled: 'Annulée',
};

/** Statuses of an order still moving (the dashboard's "under way"). */
export const ACTIVE_STATUSES: OrderStatus[] = ['quoted', 'validated', 'confirmed', 'scheduled', 'picked_up', 'in_transit'];

export function statusLabel(status: string): string {
  return ORDER_STATUS_LABELS[status as OrderStatus] ?? status;
}

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return <span className={`badge badge--${status}`}>{label ?? statusLabel(status)}</span>;
}
