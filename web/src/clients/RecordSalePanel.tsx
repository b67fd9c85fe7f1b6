import { useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import type { Contact, Locale, NewDeal, RecordedDeal } from '../api/types';
import { getContact } from '../contacts/api';
import { useI18n, type Translate } from '../i18n';
import { Panel } from '../ui/bits';
import { Field, FormError, Notice } from '../ui/Field';
import { fieldErrors, problemMessage } from '../ui/errors';
import { formatMoney, parseMoney } from '../ui/format';
import { listSellableProspects, newIdempotencyKey, recordDeal } from './api';
import { useLoader } from './useLoader';

/** Kopecks: the form takes roubles (the service's default currency) with up to two decimals. */
const RUB_EXPONENT = 2;

/**
 * The hunter records a sale for one of their prospects. The first sale hands the client to an account
 * manager, and the notice says to whom. Each submission carries an `Idempotency-Key`; re-sending the same
 * form after a failure (a lost answer) reuses it, so the sale is not recorded twice.
 */
export function RecordSalePanel({ hunterId, refreshKey = 0, onRecorded }: { hunterId: string; refreshKey?: string | number; onRecorded?: () => void }) {
  const { t, locale } = useI18n();
  const prospects = useLoader(() => listSellableProspects(hunterId), `${hunterId}:${refreshKey}`);
  const [contactId, setContactId] = useState('');
  const [amount, setAmount] = useState('');
  const [notes, setNotes] = useState('');
  const [local, setLocal] = useState<{ contactId?: string; amount?: string }>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  // The submission being sent or last failed: its key, what it sent, and for whom.
  const attempt = useRef<{ key: string; body: string; contact: Contact } | null>(null);

  // A failed sale may have gone through after all (the answer was lost): its prospect then turns into a
  // client and leaves the list, but stays a choice so that the same submission can be retried.
  const pending = attempt.current?.contact;
  const list = prospects.data && pending && !prospects.data.some((c) => c.id === pending.id) ? [pending, ...prospects.data] : prospects.data;
  // A prospect that left the list (sold in another tab, say) is no longer a choice: the select must never
  // be given a value none of its options has.
  const chosen = list?.find((c) => c.id === contactId) ?? null;
  const selected = chosen?.id ?? '';

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy) return;
    const minor = parseMoney(amount, RUB_EXPONENT);
    const problems = {
      ...(selected ? {} : { contactId: t('sale.contactRequired') }),
      ...(minor !== null && minor > 0 ? {} : { amount: t('sale.badAmount') }),
    };
    setLocal(problems);
    if (Object.keys(problems).length || minor === null || !chosen) return;
    const body: NewDeal = { contactId: selected, amountMinor: minor };
    if (notes.trim()) body.notes = notes.trim();
    const fingerprint = JSON.stringify(body);
    // Same form sent again (a retry): same key. Anything changed: a new submission.
    if (attempt.current?.body !== fingerprint) attempt.current = { key: newIdempotencyKey(), body: fingerprint, contact: chosen };
    const key = attempt.current.key;
    const name = chosen.name;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const deal = await recordDeal(body, key);
      attempt.current = null;
      setDone(await saleNotice(deal, name, t, locale));
      setContactId('');
      setAmount('');
      setNotes('');
      // The contact is a client now: it leaves the list.
      prospects.set((prev) => prev && prev.filter((c) => c.id !== deal.contactId));
      onRecorded?.();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const fe = fieldErrors(error);
  return (
    <Panel title={t('sale.title')} testId="record-sale">
      <div aria-live="polite" data-testid="sale-message">
        <Notice message={done} />
      </div>
      <FormError message={prospects.error ? problemMessage(prospects.error, t) : null} />
      {list?.length === 0 && <p class="muted small">{t('sale.noProspects')}</p>}
      <form class="outcome-form" onSubmit={submit} noValidate data-testid="sale-form">
        <div class="outcome-form__fields">
          <Field label={t('sale.contact')} error={local.contactId ?? fe.contactId} class="field--grow">
            {(a) => (
              <select {...a} name="contactId" value={selected} onChange={(e) => setContactId(e.currentTarget.value)}>
                <option value="">{list === null ? t('common.loading') : t('sale.pickContact')}</option>
                {(list ?? []).map((c) => (
                  <option key={c.id} value={c.id}>
                    {prospectLabel(c)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('sale.amount')} error={local.amount ?? fe.amountMinor} hint={t('sale.amountHint')}>
            {(a) => <input {...a} name="amount" inputMode="decimal" autoComplete="off" required value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />}
          </Field>
        </div>
        <Field label={t('sale.notes')} error={fe.notes}>
          {(a) => <textarea {...a} name="notes" rows={2} maxLength={2000} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />}
        </Field>
        <FormError message={error && !fe.contactId && !fe.amountMinor && !fe.notes ? problemMessage(error, t) : null} />
        <div class="offer__actions">
          <button type="submit" class="btn btn--primary" disabled={busy} data-testid="sale-submit">
            {busy ? t('common.saving') : t('sale.submit')}
          </button>
        </div>
      </form>
    </Panel>
  );
}

function prospectLabel(c: Contact) {
  return c.company ? `${c.name} — ${c.company}` : c.name;
}

/** "Sale recorded", or for the first sale whom the client went to (the contact card names the manager). */
async function saleNotice(deal: RecordedDeal, name: string, t: Translate, locale: Locale) {
  const amount = formatMoney(deal.amountMinor, deal.currency, locale);
  if (!deal.isFirst || !deal.handoff) return t('sale.recorded', { name, amount });
  const managerId = deal.handoff.toAccountManagerId;
  if (!managerId) return t('sale.handedToDepartment', { name, amount });
  const manager = await managerName(deal.contactId, managerId, deal.handoff.reason);
  return manager ? t('sale.handedTo', { name, amount, manager }) : t('sale.handedToDepartment', { name, amount });
}

async function managerName(contactId: string, managerId: string, reason: unknown): Promise<string | null> {
  try {
    const c = await getContact(contactId);
    if (c.accountManager?.id === managerId && c.accountManager.name) return c.accountManager.name;
  } catch {
    /* fall back to the handoff's record of the candidates */
  }
  const candidates = (reason as { candidates?: Array<{ id?: unknown; name?: unknown }> } | null)?.candidates;
  const hit = Array.isArray(candidates) ? candidates.find((x) => x.id === managerId) : undefined;
  return typeof hit?.name === 'string' ? hit.name : null;
}
