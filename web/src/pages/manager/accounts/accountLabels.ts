// French labels for users' roles and statuses, and stock providers, on manager screens.
import type { Role, UserStatus } from '../../../api/types';
import { PROVIDERS } from '../stock/stockProviders';

export const ROLE_LABELS: Record<Role, string> = {
  manager: 'Gestionnaire',
  group: 'Utilisateur groupe',
  member: 'Membre',
};

export const USER_STATUS_LABELS: Record<UserStatus, string> = {
  invited: 'Invitation en attente',
  active: 'Actif',
  disabled: 'Désactivé',
};

/** The overview names the API's connector (`feed` for every CSV/XML export). */
export function providerLabel(provider: string): string {
  if (provider === 'feed') return 'Flux CSV/XML';
  return PROVIDERS.find((p) => p.value === provider)?.label.replace(/ \(.*\)$/, '') ?? provider;
}

export const SYNC_STATUS_LABELS: Record<string, string> = {
  succeeded: 'Réussie',
  completed_with_errors: 'Terminée avec des erreurs',
  failed: 'Échouée',
};
