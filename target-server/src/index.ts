// Public API of @logpulse/target-server, used by the root `npm start` orchestrator and by other packages' tests.
export { startTargetServer, type RunningTargetServer, type TargetServerOptions } from './server.ts';
export { configFromEnv, DEFAULT_ACCESS_LOG, type TargetServerConfig } from './config.ts';
export { runTraffic, defaultTargetUrl, type TrafficOptions, type TrafficRun, type TrafficSummary, type TrafficResult, type RateSource } from './traffic/runTraffic.ts';
export { writeBackfill, type BackfillOptions, type BackfillResult } from './traffic/backfill.ts';
export { DEMO_HISTORY, DEMO_RATE, demoBackfillOptions, demoRate } from './traffic/demo.ts';
export { generateRecords, iterateRecords, MAX_GENERATED_RECORDS, type GenerateRecordsOptions, type TimeInput } from './workload/records.ts';
export { parseIncident, resolveIncidents, INCIDENT_DEFAULTS, type Incident, type IncidentInput, type IncidentSpec, type IncidentKind } from './workload/incidents.ts';
export { DEFAULT_SHAPE, FLAT_SHAPE, type TrafficShape } from './workload/shape.ts';
export { parseDuration } from './workload/duration.ts';
export { routeMatches } from './workload/routeMatch.ts';
export { ACCESS_RECORD_KEYS, formatAccessLine, type AccessRecord } from './accessLog/record.ts';
export { RotatingFile, type RotatingFileOptions } from './accessLog/rotatingFile.ts';
export { ScenarioController, SCENARIO_NAMES, type ScenarioName, type ScenarioState, type ScenarioRequest } from './scenario/scenarios.ts';
