import type { ButtonHTMLAttributes } from 'react';

// Buttons: primary (one per screen), secondary, danger; `busy` disables and says so.
interface Props extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: 'primary' | 'secondary' | 'danger' | 'link';
  busy?: boolean;
}

export function Button({ variant = 'secondary', busy = false, className, disabled, children, type, ...rest }: Props) {
  return (
    <button
      type={type ?? 'button'}
      className={`btn btn--${variant}${className ? ` ${className}` : ''}`}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy && <span className="spinner" aria-hidden="true" />}
      {children}
    </button>
  );
}
