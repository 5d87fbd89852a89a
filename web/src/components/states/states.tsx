import type { ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { useI18n } from '../../i18n/index.tsx';

export function LoadingState({ rows = 3 }: { rows?: number }) {
  const { t } = useI18n();
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="visually-hidden">{t('state.loading')}</span>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton" style={{ width: `${90 - i * 15}%` }} />
      ))}
    </div>
  );
}

export function EmptyState({ message }: { message?: string }) {
  const { t } = useI18n();
  return (
    <div className="state state-empty" data-state="empty">
      {message ?? t('state.empty')}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: CombinedError | Error | string; onRetry?: () => void }) {
  const { t } = useI18n();
  const detail = typeof error === 'string' ? error : 'graphQLErrors' in error && error.graphQLErrors.length > 0 ? error.graphQLErrors.map((e) => e.message).join('; ') : error.message;
  return (
    <div className="state state-error" role="alert" data-state="error">
      <strong>{t('state.error')}</strong>
      <span className="state-detail">{detail}</span>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          {t('state.retry')}
        </button>
      )}
    </div>
  );
}

/** For a panel whose GraphQL field this gateway does not have: say so instead of showing anything made up. */
export function UnavailableState({ field }: { field: string }) {
  const { t } = useI18n();
  return (
    <div className="state state-unavailable" data-state="unavailable">
      <strong>{t('state.unavailable')}</strong>
      <span className="state-detail">{t('state.unavailable.detail', { field })}</span>
    </div>
  );
}

interface QueryLike<Data> {
  data?: Data | undefined;
  fetching: boolean;
  error?: CombinedError | undefined;
}

/**
 * Loading, error and empty states for one query's panel body. Data already shown stays on
 * screen while a refresh runs, so auto-refresh never blanks the dashboard.
 */
export function QueryState<Data>({
  result,
  isEmpty,
  emptyMessage,
  onRetry,
  rows,
  children,
}: {
  result: QueryLike<Data>;
  isEmpty?: (data: Data) => boolean;
  emptyMessage?: string;
  onRetry?: () => void;
  rows?: number;
  children: (data: Data) => ReactNode;
}) {
  if (result.data === undefined || result.data === null) {
    if (result.error) return <ErrorState error={result.error} onRetry={onRetry} />;
    return <LoadingState rows={rows} />;
  }
  if (isEmpty?.(result.data)) return <EmptyState message={emptyMessage} />;
  return (
    <>
      {result.error && <ErrorState error={result.error} onRetry={onRetry} />}
      {children(result.data)}
    </>
  );
}

export function Panel({
  title,
  actions,
  children,
  className,
  testId,
}: {
  title: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section className={`panel ${className ?? ''}`} data-testid={testId}>
      <header className="panel-header">
        <h2 className="panel-title">{title}</h2>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}
