// Synthesises the stack for tests (offline, like `npm run infra:synth`) and reads it back.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LogpulseStack } from '../lib/logpulse-stack.ts';
import { EXAMPLE_CONTEXT, readSettings } from '../lib/settings.ts';

export type Context = Record<string, string>;

export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

export function synth(context: Context = {}): { template: Template; json: CfnTemplate } {
  const merged: Context = { ...EXAMPLE_CONTEXT, ...context };
  // The release asset is fingerprinted but not copied: tests read the template, not cdk.out.
  const app = new App({ context: { ...merged, 'aws:cdk:disable-asset-staging': true } });
  const stack = new LogpulseStack(app, 'Logpulse', { settings: readSettings((k) => merged[k]) });
  const template = Template.fromStack(stack);
  return { template, json: template.toJSON() as CfnTemplate };
}

export function resources(json: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

export function logicalId(json: CfnTemplate, type: string, prefix: string): string {
  const found = resources(json, type).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${found.map(([id]) => id).join(', ') || 'none'}`);
  return found[0]![0];
}

/** Intrinsic functions rendered as placeholders, so a CloudFormation string can be read as text. */
function renderIntrinsic(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if ('Fn::Join' in obj) {
      const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map(renderIntrinsic).join(sep);
    }
    if ('Ref' in obj) return `<Ref:${String(obj.Ref)}>`;
    if ('Fn::GetAtt' in obj) return `<GetAtt:${(obj['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::Select' in obj || 'Fn::Split' in obj) return '<Select>';
  }
  return `<${JSON.stringify(value)}>`;
}

/** The user data script of an EC2 instance, with references shown as <Ref:LogicalId>. */
export function userData(json: CfnTemplate, instancePrefix: string): string {
  const id = logicalId(json, 'AWS::EC2::Instance', instancePrefix);
  const data = json.Resources[id]!.Properties.UserData as { 'Fn::Base64': unknown };
  return renderIntrinsic(data['Fn::Base64']);
}
