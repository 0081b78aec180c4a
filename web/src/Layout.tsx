import { useEffect, useRef, useState } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { useSession } from './session';
import { managerNav } from './pages/manager/routes';
import type { Role } from './api/types';

const customerNav = [
  { to: '/', label: 'Tableau de bord', end: true },
  { to: '/commandes/nouvelle', label: 'Nouvelle commande', end: true },
  { to: '/commandes', label: 'Commandes', end: false },
  { to: '/stock', label: 'Stock', end: false },
  { to: '/adresses', label: 'Adresses', end: false },
];

const ROLE_LABELS: Record<Role, string> = {
  manager: 'Gestionnaire STVA',
  group: 'Utilisateur groupe',
  member: 'Membre',
};

/** Whether a menu entry is the current page ("Commandes" is not active on "Nouvelle commande"). */
function isCurrent(item: { to: string; end: boolean }, path: string): boolean {
  if (item.end || item.to === '/') return path === item.to;
  if (item.to === '/commandes' && path === '/commandes/nouvelle') return false;
  return path === item.to || path.startsWith(`${item.to}/`);
}

function navFor(role: Role) {
  if (role === 'manager') return managerNav.map((n) => ({ ...n, end: false }));
  const nav = [...customerNav];
  if (role === 'group') nav.push({ to: '/utilisateurs', label: 'Utilisateurs', end: false });
  return nav;
}

// The signed-in frame: skip link, header (brand, navigation, user, sign-out), main content.
export function Layout() {
  const { me, signOut } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const [seenPath, setSeenPath] = useState(location.pathname);
  if (seenPath !== location.pathname) {
    // Close the small-screen menu after navigating.
    setSeenPath(location.pathname);
    setMenuOpen(false);
  }
  // After a page change, move focus to the content so screen readers announce the new page.
  const mainRef = useRef<HTMLElement>(null);
  const firstPath = useRef(true);
  useEffect(() => {
    if (firstPath.current) {
      firstPath.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [location.pathname]);
  if (!me) return null;

  async function handleSignOut() {
    await signOut();
    navigate('/connexion', { replace: true });
  }

  return (
    <div className="app">
      <a className="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <header className="app-header">
        <div className="app-header__inner">
          <Link to="/" className="brand">
            <span className="brand__mark" aria-hidden="true">STVA</span>
            <span className="brand__name">Portail {me.role === 'manager' ? 'gestion' : 'client'}</span>
          </Link>
          <button
            type="button"
            className="menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="main-nav"
            onClick={() => setMenuOpen((o) => !o)}
          >
            Menu
          </button>
          <nav id="main-nav" aria-label="Navigation principale" className={`main-nav${menuOpen ? ' main-nav--open' : ''}`}>
            <ul>
              {navFor(me.role).map((item) => (
                <li key={item.to}>
                  <Link to={item.to} className={isCurrent(item, location.pathname) ? 'active' : undefined}
                    aria-current={isCurrent(item, location.pathname) ? 'page' : undefined}>
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
            <div className="user-box">
              <span className="user-box__name">{me.name}</span>
              <span className="user-box__meta">
                {me.account_name ?? ROLE_LABELS[me.role]}
              </span>
              <button type="button" className="btn btn--link" onClick={handleSignOut}>
                Se déconnecter
              </button>
            </div>
          </nav>
        </div>
      </header>
      <main id="contenu" className="app-main" tabIndex={-1} ref={mainRef}>
        <Outlet />
      </main>
      <footer className="app-footer">
        <p>STVA – Transport de véhicules d'occasion</p>
      </footer>
    </div>
  );
}
