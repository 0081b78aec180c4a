import { Navigate, Route, Routes, useLocation } from 'react-router';
import type { ReactNode } from 'react';
import { useSession } from './session';
import { Layout } from './Layout';
import { Loading } from './ui';
import { managerNav, managerRoutes } from './pages/manager/routes';
import { SignInPage } from './pages/auth/SignInPage';
import { InvitationPage } from './pages/auth/InvitationPage';
import { ForgotPasswordPage } from './pages/auth/ForgotPasswordPage';
import { ResetPasswordPage } from './pages/auth/ResetPasswordPage';
import { DashboardPage } from './pages/customer/DashboardPage';
import { OrderWizardPage } from './pages/customer/wizard/OrderWizardPage';
import { OrdersPage } from './pages/customer/OrdersPage';
import { OrderDetailPage } from './pages/customer/OrderDetailPage';
import { AddressBookPage } from './pages/customer/AddressBookPage';
import { StockPage } from './pages/customer/StockPage';
import { UsersPage } from './pages/customer/UsersPage';
import { NotFoundPage } from './pages/NotFoundPage';

// Public pages (links from e-mails) and signed-in pages; roles decide the home page.
export function App() {
  return (
    <Routes>
      <Route path="/connexion" element={<SignInPage />} />
      <Route path="/invitation" element={<InvitationPage />} />
      <Route path="/mot-de-passe-oublie" element={<ForgotPasswordPage />} />
      <Route path="/reinitialiser-mot-de-passe" element={<ResetPasswordPage />} />
      <Route element={<RequireSession><Layout /></RequireSession>}>
        <Route path="/" element={<Home />} />
        <Route path="/commandes" element={<CustomerOnly><OrdersPage /></CustomerOnly>} />
        <Route path="/commandes/nouvelle" element={<CustomerOnly><OrderWizardPage /></CustomerOnly>} />
        <Route path="/commandes/:id" element={<OrderDetailPage />} />
        <Route path="/adresses" element={<CustomerOnly><AddressBookPage /></CustomerOnly>} />
        <Route path="/stock" element={<CustomerOnly><StockPage /></CustomerOnly>} />
        <Route path="/utilisateurs" element={<GroupOnly><UsersPage /></GroupOnly>} />
        {managerRoutes}
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

function RequireSession({ children }: { children: ReactNode }) {
  const { me, loading } = useSession();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!me) {
    const next = location.pathname + location.search;
    return <Navigate to={`/connexion${next !== '/' ? `?suite=${encodeURIComponent(next)}` : ''}`} replace />;
  }
  return <>{children}</>;
}

function Home() {
  const { me } = useSession();
  if (me?.role === 'manager') return <Navigate to={managerNav[0]?.to ?? '/'} replace />;
  return <DashboardPage />;
}

function CustomerOnly({ children }: { children: ReactNode }) {
  const { me } = useSession();
  if (me?.role === 'manager') return <Navigate to={managerNav[0]?.to ?? '/'} replace />;
  return <>{children}</>;
}

function GroupOnly({ children }: { children: ReactNode }) {
  const { me } = useSession();
  if (me?.role !== 'group') return <Navigate to="/" replace />;
  return <>{children}</>;
}
