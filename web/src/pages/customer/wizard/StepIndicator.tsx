import { STEP_TITLES } from './types';

// The six steps, with the current one announced to screen readers.
export function StepIndicator({ current }: { current: number }) {
  return (
    <nav aria-label="Étapes de la commande">
      <ol className="steps">
        {STEP_TITLES.map((title, i) => {
          const n = i + 1;
          const state = n < current ? 'done' : n === current ? 'current' : '';
          return (
            <li key={title} className={state} aria-current={n === current ? 'step' : undefined}>
              {title}
              {n < current && <span className="visually-hidden"> (terminée)</span>}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
