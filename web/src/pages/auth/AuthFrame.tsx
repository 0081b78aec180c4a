import { useEffect, type ReactNode } from 'react';

// The frame of the signed-out pages: STVA's name and one card.
export function AuthFrame({ title, children }: { title: string; children: ReactNode }) {
  useEffect(() => {
    document.title = `${title} – STVA`;
  }, [title]);
  return (
    <main className="auth" id="contenu">
      <p className="auth__brand">STVA</p>
      <p className="auth__tagline">Portail client – transport de véhicules d'occasion</p>
      <div className="card">
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
