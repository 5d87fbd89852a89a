import { useEffect, type ReactNode } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { hrefWithControls } from '../../lib/controls.ts';
import { HeaderControls } from '../controls/HeaderControls.tsx';
import { Icon } from './icons.tsx';
import { FiringBadge } from '../../features/alerts/FiringBadge.tsx';

export const PAGES: readonly { path: string; label: MessageKey; icon: string }[] = [
  { path: '/', label: 'nav.overview', icon: 'overview' },
  { path: '/endpoints', label: 'nav.endpoints', icon: 'endpoints' },
  { path: '/errors', label: 'nav.errors', icon: 'errors' },
  { path: '/performance', label: 'nav.performance', icon: 'performance' },
  { path: '/insights', label: 'nav.insights', icon: 'insights' },
  { path: '/live', label: 'nav.live', icon: 'live' },
  { path: '/ai', label: 'nav.ai', icon: 'ai' },
  { path: '/pipeline', label: 'nav.pipeline', icon: 'pipeline' },
  { path: '/logs', label: 'nav.logs', icon: 'logs' },
  { path: '/alerts', label: 'nav.alerts', icon: 'alerts' },
];

function isActive(path: string, location: string): boolean {
  return path === '/' ? location === '/' : location === path || location.startsWith(`${path}/`);
}

/** Page frame: navigation, the header's global controls, and the page. */
export function Shell({ children }: { children: ReactNode }) {
  const { t, locale } = useI18n();
  const [location] = useLocation();
  const search = useSearch();
  const current = PAGES.find((p) => isActive(p.path, location));

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = current ? `${t(current.label)} · logpulse` : 'logpulse';
  }, [locale, current, t]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <nav className="sidebar" aria-label={t('nav.label')}>
        <div className="brand">
          <svg viewBox="0 0 16 16" width="20" height="20" aria-hidden="true">
            <path d="M1 9h3l2-6 4 10 2-4h3" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
          </svg>
          <span>{t('app.name')}</span>
        </div>
        <ul>
          {PAGES.map((page) => (
            <li key={page.path}>
              <Link
                href={hrefWithControls(page.path, search)}
                className={isActive(page.path, location) ? 'nav-link active' : 'nav-link'}
                aria-current={isActive(page.path, location) ? 'page' : undefined}
                data-page={page.path}
              >
                <Icon name={page.icon} />
                <span>{t(page.label)}</span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="main-column">
        <header className="topbar">
          <h1 className="page-title">{current ? t(current.label) : t('app.name')}</h1>
          <FiringBadge />
          <HeaderControls />
        </header>
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
