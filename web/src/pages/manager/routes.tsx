// Manager ("gestionnaire") screens, mounted by the app layout under /gestion.
import type { ReactNode } from 'react';
import { Navigate, Route } from 'react-router';
import { useSession } from '../../session';
import { Alert } from '../../ui';
import { AllOrdersPage } from './orders/AllOrdersPage';
import { AccountsPage } from './accounts/AccountsPage';
import { AccountDetailPage } from './accounts/AccountDetailPage';
import { StockConnectionPage } from './stock/StockConnectionPage';
import { InviteManagerPage } from './managers/InviteManagerPage';
import './manager.css';

export const managerNav: { to: string; label: string }[] = [
  { to: '/gestion/commandes', label: 'Toutes les commandes' },
  { to: '/gestion/comptes', label: 'Comptes clients' },
  { to: '/gestion/gestionnaires', label: 'Gestionnaires' },
];

/** Customers never see these screens (the API would answer 403 anyway). */
function ManagerOnly({ children }: { children: ReactNode }) {
  const { me } = useSession();
  if (me?.role !== 'manager') {
    return <Alert kind="error">Cette page est réservée aux gestionnaires STVA.</Alert>;
  }
  return <>{children}</>;
}

export const managerRoutes = (
  <>
    <Route path="/gestion" element={<Navigate to="/gestion/commandes" replace />} />
    <Route path="/gestion/commandes" element={<ManagerOnly><AllOrdersPage /></ManagerOnly>} />
    <Route path="/gestion/comptes" element={<ManagerOnly><AccountsPage /></ManagerOnly>} />
    <Route path="/gestion/comptes/:accountId" element={<ManagerOnly><AccountDetailPage /></ManagerOnly>} />
    <Route path="/gestion/comptes/:accountId/stock" element={<ManagerOnly><StockConnectionPage /></ManagerOnly>} />
    <Route path="/gestion/gestionnaires" element={<ManagerOnly><InviteManagerPage /></ManagerOnly>} />
  </>
);
