import { useState } from 'preact/hooks';
import type { TargetedEvent, TargetedSubmitEvent } from 'preact';
import { locales, roles, type Locale, type PhoneDevice, type Role, type User } from '../api/types';
import { useI18n } from '../i18n';
import { Panel } from '../ui/bits';
import { Field, FormError, Notice } from '../ui/Field';
import { fieldErrors, problemMessage } from '../ui/errors';
import { createUser } from './api';

const empty = { name: '', email: '', role: 'operator' as Role, password: '', locale: 'ru' as Locale, extension: '', phoneDevice: 'softphone' as PhoneDevice };

export function UserForm({ onCreated }: { onCreated: (u: User) => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<User | null>(null);

  const set = (k: keyof typeof empty) => (e: TargetedEvent<HTMLInputElement | HTMLSelectElement>) =>
    setForm({ ...form, [k]: e.currentTarget.value });

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setCreated(null);
    try {
      const u = await createUser({ ...form, name: form.name.trim(), email: form.email.trim(), extension: form.extension.trim() || null });
      setCreated(u);
      setForm({ ...empty, role: form.role, locale: form.locale, phoneDevice: form.phoneDevice });
      onCreated(u);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const fe = fieldErrors(error);
  const fieldPaths = ['name', 'email', 'role', 'password', 'locale', 'extension', 'phoneDevice'];
  const hasFieldErrors = Object.keys(fe).some((k) => fieldPaths.includes(k));
  return (
    <Panel title={t('users.form.title')} testId="user-form">
      <form class="form-grid form-grid--1" onSubmit={submit} noValidate>
        <Field label={t('users.form.name')} error={fe.name}>
          {(a) => <input {...a} name="name" required maxLength={200} value={form.name} onInput={set('name')} />}
        </Field>
        <Field label={t('users.form.email')} error={fe.email}>
          {(a) => <input {...a} name="email" type="email" required autoComplete="off" value={form.email} onInput={set('email')} />}
        </Field>
        <Field label={t('users.form.role')} error={fe.role}>
          {(a) => (
            <select {...a} name="role" value={form.role} onChange={set('role')}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('users.form.password')} hint={t('users.form.passwordHint')} error={fe.password}>
          {(a) => (
            <input {...a} name="password" type="password" required autoComplete="new-password" minLength={10} value={form.password} onInput={set('password')} />
          )}
        </Field>
        <Field label={t('users.form.locale')} error={fe.locale}>
          {(a) => (
            <select {...a} name="locale" value={form.locale} onChange={set('locale')}>
              {locales.map((l) => (
                <option key={l} value={l}>
                  {t(`lang.${l}.full`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('users.extension')} error={fe.extension}>
          {(a) => <input {...a} name="extension" inputMode="numeric" pattern="[0-9]{2,8}" maxLength={8} value={form.extension} onInput={set('extension')} placeholder="1001" />}
        </Field>
        <Field label={t('users.phoneDevice')} error={fe.phoneDevice}>
          {(a) => (
            <select {...a} name="phoneDevice" value={form.phoneDevice} onChange={set('phoneDevice')}>
              {(['softphone', 'desk'] as const).map((d) => (
                <option key={d} value={d}>
                  {t(`users.phoneDevice.${d}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div class="form-actions">
          <FormError message={error && !hasFieldErrors ? problemMessage(error, t) : null} />
          <Notice message={created ? t('users.form.created', { name: created.name }) : null} />
          <button type="submit" class="btn btn--primary" disabled={busy}>
            {busy ? t('common.saving') : t('users.form.submit')}
          </button>
        </div>
      </form>
    </Panel>
  );
}
