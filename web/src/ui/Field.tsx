import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  /** Renders the control; gets the id to use and the aria attributes that tie the label, hint and error to it. */
  children: (control: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ComponentChildren;
  class?: string;
}

/** A label, a control, an optional hint and the field's error right under it. */
export function Field({ label, error, hint, children, class: cls }: FieldProps) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${error ? ' field--invalid' : ''}${cls ? ` ${cls}` : ''}`}>
      <label for={id}>{label}</label>
      {children({ id, ...(error ? { 'aria-invalid': true as const } : {}), ...(described ? { 'aria-describedby': described } : {}) })}
      {hint && !error && (
        <small class="field__hint" id={`${id}-hint`}>
          {hint}
        </small>
      )}
      {error && (
        <small class="field__error" id={`${id}-error`} data-testid="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

export function FormError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div class="alert alert--error" role="alert">
      {message}
    </div>
  );
}

export function Notice({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div class="alert alert--ok" role="status">
      {message}
    </div>
  );
}
