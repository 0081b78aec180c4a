import { Link } from 'react-router';
import { PageHeader } from '../ui';

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page introuvable" />
      <p>Cette page n'existe pas ou n'est plus disponible.</p>
      <p>
        <Link to="/">Retour à l'accueil</Link>
      </p>
    </>
  );
}
