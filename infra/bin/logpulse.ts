// CDK app for the cdk CLI (cdk.json): `npx cdk deploy -c domainName=... -c hostedZoneId=...`.
import { App } from 'aws-cdk-lib';
import { createLogpulseApp } from '../lib/app.ts';

createLogpulseApp(new App());
