import type { ComponentChildren } from 'preact';
import { useI18n, type Translate } from '../i18n';
import { Empty, Panel } from '../ui/bits';
import { problemMessage, problemOf } from '../ui/errors';
import type { ReportState } from './useReport';

/** The panel's sentence for a failed report, always with the service's own `detail` (e.g. "to must be after from"). */
export function reportError(err: unknown, t: Translate): string {
  const message = problemMessage(err, t);
  const p = problemOf(err);
  if (!p || p.code === 'network' || !p.detail || message.includes(p.detail)) return message;
  return `${message} ${p.detail}`;
}

/** "Download CSV": the same address with `format=csv`; the session cookie authenticates the download. */
export function CsvLink({ href }: { href: string }) {
  const { t } = useI18n();
  return (
    <a class="btn btn--small report-csv" href={href} download data-testid="report-csv">
      {t('reports.csv')}
    </a>
  );
}

interface FrameProps<T> {
  title: string;
  testId: string;
  state: ReportState<T>;
  csv: string;
  isEmpty(data: T): boolean;
  emptyText: string;
  /** Controls above the report (grouping, filters). */
  controls?: ComponentChildren;
  children(data: T): ComponentChildren;
}

/** One report: its title and CSV link, then loading, error, empty or the report itself. */
export function ReportFrame<T>({ title, testId, state, csv, isEmpty, emptyText, controls, children }: FrameProps<T>) {
  const { t } = useI18n();
  const { data, loading, error } = state;
  const status = error ? 'error' : !data ? 'loading' : isEmpty(data) ? 'empty' : 'ready';
  return (
    <Panel title={title} testId={testId} actions={<CsvLink href={csv} />}>
      {controls && <div class="filters filters--end report-controls">{controls}</div>}
      <div class="report-body" data-testid="report-body" data-state={status} data-loading={loading ? 'true' : 'false'} aria-busy={loading}>
        {error ? (
          <div class="alert alert--error" role="alert" data-testid="report-error">
            {reportError(error, t)}{' '}
            <button type="button" class="btn btn--small" onClick={state.reload}>
              {t('reports.retry')}
            </button>
          </div>
        ) : null}
        {status === 'loading' && (
          <p class="muted" role="status" data-testid="report-loading">
            {t('common.loading')}
          </p>
        )}
        {status === 'empty' && <Empty text={emptyText} />}
        {data && status === 'ready' && children(data)}
      </div>
    </Panel>
  );
}

/** A horizontal bar against the largest value on screen. */
export function Bar({ value, max, variant }: { value: number | null; max: number; variant?: string }) {
  const share = value === null || max <= 0 ? 0 : Math.max(0, Math.min(1, value / max));
  return (
    <div class={`report-bar${variant ? ` report-bar--${variant}` : ''}`} aria-hidden="true">
      <div class="report-bar__fill" style={{ width: `${share * 100}%` }} />
    </div>
  );
}
