import type { Order } from '../../api/types';
import { formatDateTime } from '../../ui';

// The statuses the order went through, oldest first, and what comes next while it moves.
const FLOW = ['quoted', 'validated', 'confirmed', 'scheduled', 'picked_up', 'in_transit', 'delivered'];
const NEXT_LABELS: Record<string, string> = {
  validated: 'Validée', confirmed: 'Confirmée', scheduled: 'Planifiée', picked_up: 'Enlevée', in_transit: 'En transit', delivered: 'Livrée',
};

export function OrderTimeline({ order }: { order: Order }) {
  const at = FLOW.indexOf(order.status);
  const upcoming = at >= 0 ? FLOW.slice(at + 1) : [];
  return (
    <ol className="timeline" aria-label="Étapes de la commande">
      {order.timeline.map((e, i) => (
        <li key={`${e.status}-${i}`}>
          <span className="timeline__label">{e.label}</span>
          <br />
          <span className="timeline__meta">
            {formatDateTime(e.at)}
            {e.by && ` – ${e.by}`}
          </span>
        </li>
      ))}
      {upcoming.map((s) => (
        <li key={s} className="timeline__upcoming">
          <span className="timeline__label">{NEXT_LABELS[s]}</span>
          <br />
          <span className="timeline__meta">À venir</span>
        </li>
      ))}
    </ol>
  );
}
