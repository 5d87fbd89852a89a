import { lazy, Suspense, useLayoutEffect, type ComponentType } from 'react';
import { Link, Route, Switch, useSearch } from 'wouter';
import { Shell } from './components/layout/Shell.tsx';
import { LoadingState } from './components/states/states.tsx';
import { I18nProvider, useI18n } from './i18n/index.tsx';
import { hrefWithControls } from './lib/controls.ts';
import { RefreshProvider } from './lib/refresh.tsx';
import { applyTheme } from './lib/theme.ts';
import { useControls } from './lib/use-controls.ts';

// Each page is its own chunk, so the first paint does not wait for every chart library.
const page = (load: () => Promise<{ default: ComponentType }>) => lazy(load);
const OverviewPage = page(() => import('./features/overview/OverviewPage.tsx'));
const EndpointsPage = page(() => import('./features/endpoints/EndpointsPage.tsx'));
const EndpointDetailPage = page(() => import('./features/endpoints/EndpointDetailPage.tsx'));
const ErrorsPage = page(() => import('./features/errors/ErrorsPage.tsx'));
const PerformancePage = page(() => import('./features/performance/PerformancePage.tsx'));
const InsightsPage = page(() => import('./features/insights/InsightsPage.tsx'));
const LivePage = page(() => import('./features/live/LivePage.tsx'));
const AiPage = page(() => import('./features/ai/AiPage.tsx'));
const PipelinePage = page(() => import('./features/pipeline/PipelinePage.tsx'));
const LogsPage = page(() => import('./features/logs/LogsPage.tsx'));
const AlertsPage = page(() => import('./features/alerts/AlertsPage.tsx'));

function NotFound() {
  const { t } = useI18n();
  const search = useSearch();
  return (
    <div className="state state-empty">
      <p>{t('state.notFound')}</p>
      <Link href={hrefWithControls('/', search)}>{t('state.backHome')}</Link>
    </div>
  );
}

export function App() {
  const { controls } = useControls();
  useLayoutEffect(() => applyTheme(controls.theme), [controls.theme]);
  return (
    <I18nProvider locale={controls.lang} timeZone={controls.tz}>
      <RefreshProvider seconds={controls.refresh}>
        <Shell>
          <Suspense fallback={<LoadingState rows={4} />}>
            <Switch>
              <Route path="/" component={OverviewPage} />
              <Route path="/endpoints" component={EndpointsPage} />
              <Route path="/endpoints/detail" component={EndpointDetailPage} />
              <Route path="/errors" component={ErrorsPage} />
              <Route path="/performance" component={PerformancePage} />
              <Route path="/insights" component={InsightsPage} />
              <Route path="/live" component={LivePage} />
              <Route path="/ai" component={AiPage} />
              <Route path="/pipeline" component={PipelinePage} />
              <Route path="/logs" component={LogsPage} />
              <Route path="/alerts" component={AlertsPage} />
              <Route component={NotFound} />
            </Switch>
          </Suspense>
        </Shell>
      </RefreshProvider>
    </I18nProvider>
  );
}
