import type { App } from 'aws-cdk-lib';
import { LogpulseStack } from './logpulse-stack.ts';
import { readSettings } from './settings.ts';

/** Adds the logpulse stack to an app, configured from the app's context. */
export function createLogpulseApp(app: App): LogpulseStack {
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? 'Logpulse';
  return new LogpulseStack(app, stackName, {
    settings,
    description: 'logpulse: API-log analytics (Fluent Bit -> gateway -> PostgreSQL -> dashboard) on two servers',
    // Account and region come from the CLI's credentials at deploy time; synth needs neither.
    env:
      process.env.CDK_DEFAULT_ACCOUNT && process.env.CDK_DEFAULT_REGION
        ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
        : undefined,
  });
}
