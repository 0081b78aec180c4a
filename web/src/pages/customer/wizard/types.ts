import type { Vehicle } from '../../../api/types';

/** What the user may correct for each vehicle of the lot at step 2. */
export interface VehicleDraft {
  vehicle: Vehicle;
  make: string;
  model: string;
  plate: string;
}

export const STEP_TITLES = [
  'Choix du lot',
  'Vérification',
  'Lieux',
  'Devis ERP',
  'Bon de commande',
  'Validation',
] as const;

/** A lot holds at most this many vehicles (shared/src/app/quotes.rs). */
export const MAX_LOT = 12;
