/** The dashboard page that shows what a chat citation's analysis computed. */
export function citationPath(analysis: string): string {
  if (/^(traffic|services)$/.test(analysis)) return '/';
  if (/^(endpointUsage|endpoints|endpointDetail)$/.test(analysis)) return '/endpoints';
  if (/^(errorDistribution|statusEndpointTop|errorHeatmap)$/.test(analysis)) return '/errors';
  if (/^(slowEndpoints|bottlenecks)$/.test(analysis)) return '/performance';
  if (/^(patterns|anomalies|recommendations)$/.test(analysis)) return '/insights';
  if (/^(recentLogs)$/.test(analysis)) return '/logs';
  if (/^(pipelineHealth)$/.test(analysis)) return '/pipeline';
  return '/';
}
