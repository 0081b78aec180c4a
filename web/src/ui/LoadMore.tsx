import { Button } from './Button';

export function LoadMore({ hasMore, loading, onClick }: { hasMore: boolean; loading: boolean; onClick: () => void }) {
  if (!hasMore) return null;
  return (
    <div className="load-more">
      <Button onClick={onClick} busy={loading}>
        Charger plus
      </Button>
    </div>
  );
}
