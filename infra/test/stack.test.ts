// The synthesised CloudFormation template holds the production topology of issue 10:
// network and firewalls, servers, TLS load balancers, names, secrets, database, alarms.
import { spawnSync } from 'node:child_process';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PORTS } from '../lib/logpulse-stack.ts';
import { readSettings } from '../lib/settings.ts';
import { type CfnResource, type CfnTemplate, logicalId, resources, synth, userData } from './synth.ts';

const rds = synth({ adminCidrs: '203.0.113.0/24,198.51.100.7/32', alarmEmail: 'ops@example.com' });
const onServer = synth({ database: 'server' });
// Every non-default choice at once: one more synthesis instead of one per option.
const variant = synth({
  natGateways: '2',
  openAiSecretName: 'prod/logpulse/openai',
  openAiModel: 'gpt-4o-mini',
  dbMultiAz: 'false',
  dbBackupRetentionDays: '14',
  logRetentionDays: '90',
});

interface IngressRule {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  CidrIp?: string;
  CidrIpv6?: string;
  SourceSecurityGroupId?: unknown;
  GroupId?: unknown;
}

/** Every ingress rule of the template (inline and standalone), with the group it belongs to. */
function ingressRules(json: CfnTemplate): (IngressRule & { group: string })[] {
  const inline = resources(json, 'AWS::EC2::SecurityGroup').flatMap(([id, r]) =>
    ((r.Properties.SecurityGroupIngress ?? []) as IngressRule[]).map((rule) => ({ ...rule, group: id })),
  );
  const standalone = resources(json, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => {
    const rule = r.Properties as unknown as IngressRule;
    const ref = rule.GroupId as { 'Fn::GetAtt': string[] };
    return { ...rule, group: ref['Fn::GetAtt'][0]! };
  });
  return [...inline, ...standalone];
}

const covers = (rule: IngressRule, port: number) =>
  rule.IpProtocol === '-1' || ((rule.FromPort ?? 0) <= port && port <= (rule.ToPort ?? 65535));
const sourceGroup = (rule: IngressRule) => (rule.SourceSecurityGroupId as { 'Fn::GetAtt': string[] } | undefined)?.['Fn::GetAtt'][0];

describe('network', () => {
  it('spans two AZs with public, private and isolated subnets and a NAT gateway', () => {
    rds.template.resourceCountIs('AWS::EC2::Subnet', 6);
    rds.template.resourceCountIs('AWS::EC2::NatGateway', 1);
    variant.template.resourceCountIs('AWS::EC2::NatGateway', 2);
    const azs = new Set(resources(rds.json, 'AWS::EC2::Subnet').map(([, r]) => JSON.stringify(r.Properties.AvailabilityZone)));
    expect(azs.size).toBe(2);
  });

  it('opens no gateway, dashboard or database port to the world', () => {
    for (const { json } of [rds, onServer]) {
      for (const rule of ingressRules(json)) {
        const world = rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0';
        for (const port of [PORTS.gateway, PORTS.web, PORTS.postgres]) {
          expect(world && covers(rule, port), `${rule.group} port ${port} open to the world`).toBe(false);
        }
      }
    }
  });

  it('lets only the NLBs reach server 2, only server 1 reach ingest, only the gateway reach PostgreSQL', () => {
    const rules = ingressRules(rds.json);
    const server2 = logicalId(rds.json, 'AWS::EC2::SecurityGroup', 'Server2Sg');
    const server1 = logicalId(rds.json, 'AWS::EC2::SecurityGroup', 'Server1Sg');
    const dashboardNlb = logicalId(rds.json, 'AWS::EC2::SecurityGroup', 'DashboardNlbSg');
    const ingestNlb = logicalId(rds.json, 'AWS::EC2::SecurityGroup', 'IngestNlbSg');
    const database = logicalId(rds.json, 'AWS::EC2::SecurityGroup', 'DatabaseSg');
    const into = (group: string) => rules.filter((r) => r.group === group);

    expect(into(server2).map((r) => [r.FromPort, sourceGroup(r)]).sort()).toEqual(
      [
        [PORTS.gateway, ingestNlb],
        [PORTS.web, dashboardNlb],
      ].sort(),
    );
    expect(into(server1)).toEqual([]);
    expect(into(ingestNlb).map((r) => [r.FromPort, sourceGroup(r)])).toEqual([[PORTS.https, server1]]);
    expect(into(database).map((r) => [r.FromPort, sourceGroup(r)])).toEqual([[PORTS.postgres, server2]]);
    expect(into(dashboardNlb).map((r) => [r.FromPort, r.CidrIp]).sort()).toEqual([
      [PORTS.https, '198.51.100.7/32'],
      [PORTS.https, '203.0.113.0/24'],
    ]);
  });
});

describe('load balancers and names', () => {
  it('terminates TLS with the ACM certificate on 443 for both NLBs', () => {
    const cert = logicalId(rds.json, 'AWS::CertificateManager::Certificate', 'Certificate');
    const listeners = resources(rds.json, 'AWS::ElasticLoadBalancingV2::Listener');
    expect(listeners).toHaveLength(2);
    for (const [, l] of listeners) {
      expect(l.Properties).toMatchObject({ Port: 443, Protocol: 'TLS', Certificates: [{ CertificateArn: { Ref: cert } }] });
      expect(l.Properties.SslPolicy).toMatch(/^ELBSecurityPolicy-TLS13/);
    }
    rds.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Type: 'network' });
    rds.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal', Type: 'network' });
  });

  it('validates the certificate for both names through the Route 53 zone', () => {
    rds.template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'logs.example.com',
      SubjectAlternativeNames: ['ingest.logs.example.com'],
      ValidationMethod: 'DNS',
      DomainValidationOptions: Match.arrayWith([{ DomainName: 'logs.example.com', HostedZoneId: 'Z0123456789EXAMPLE' }]),
    });
  });

  it('health-checks /readyz on the nginx and gateway ports, with WebSocket-friendly draining', () => {
    const groups = resources(rds.json, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([, g]) => g.Properties);
    expect(groups.map((g) => g.Port).sort()).toEqual([PORTS.gateway, PORTS.web]);
    for (const g of groups) {
      expect(g).toMatchObject({ Protocol: 'TCP', TargetType: 'instance', HealthCheckProtocol: 'HTTP', HealthCheckPath: '/readyz' });
      expect(g.HealthCheckPort).toBe(String(g.Port));
      const attributes = Object.fromEntries((g.TargetGroupAttributes as { Key: string; Value: string }[]).map((a) => [a.Key, a.Value]));
      expect(attributes).toMatchObject({
        'deregistration_delay.timeout_seconds': '60',
        'deregistration_delay.connection_termination.enabled': 'true',
        'preserve_client_ip.enabled': 'true',
      });
    }
  });

  it('aliases the dashboard name to the public NLB and the ingest name to the internal one', () => {
    const publicNlb = logicalId(rds.json, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'DashboardNlb');
    const internalNlb = logicalId(rds.json, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'IngestNlb');
    for (const [name, nlb] of [
      ['logs.example.com.', publicNlb],
      ['ingest.logs.example.com.', internalNlb],
    ]) {
      rds.template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: name,
        Type: 'A',
        HostedZoneId: 'Z0123456789EXAMPLE',
        AliasTarget: { DNSName: Match.anyValue(), HostedZoneId: { 'Fn::GetAtt': [nlb, 'CanonicalHostedZoneID'] } },
      });
    }
  });
});

describe('secrets', () => {
  it('are generated by Secrets Manager and only referenced: no value in the template or user data', () => {
    for (const { json } of [rds, onServer]) {
      const secrets = resources(json, 'AWS::SecretsManager::Secret');
      expect(secrets.length).toBeGreaterThanOrEqual(3);
      for (const [, s] of secrets) {
        expect(s.Properties.SecretString).toBeUndefined();
        expect(s.Properties.GenerateSecretString).toBeDefined();
      }
      // A dynamic reference makes CloudFormation paste the secret value into the property: fine for
      // the RDS master password (it goes to the RDS API), never anywhere else (user data!).
      for (const [id, r] of Object.entries(json.Resources)) {
        if (r.Type === 'AWS::RDS::DBInstance') continue;
        const text = JSON.stringify(r);
        expect(/\{\{resolve:(secretsmanager|ssm-secure)/.test(text), `${id} resolves a secret`).toBe(false);
      }
    }
    const [, db] = resources(rds.json, 'AWS::RDS::DBInstance')[0]!;
    expect(JSON.stringify(db.Properties.MasterUserPassword)).toContain('{{resolve:secretsmanager:');
  });

  it('are read on the server at deploy time, each server only the ones it needs', () => {
    const ingest = logicalId(rds.json, 'AWS::SecretsManager::Secret', 'IngestToken');
    const dashboard = logicalId(rds.json, 'AWS::SecretsManager::Secret', 'DashboardToken');
    const server1 = userData(rds.json, 'Server1');
    const server2 = userData(rds.json, 'Server2');
    expect(server1).toContain(`put INGEST_TOKEN "$(secret '<Ref:${ingest}>')"`);
    expect(server1).not.toContain(dashboard);
    expect(server2).toContain(`put DASHBOARD_TOKEN "$(secret '<Ref:${dashboard}>')"`);

    const policy = (role: string) =>
      JSON.stringify(resources(rds.json, 'AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Properties.Roles).includes(role))![1]);
    const server1Role = logicalId(rds.json, 'AWS::IAM::Role', 'Server1Role');
    expect(policy(server1Role)).toContain(ingest);
    expect(policy(server1Role)).not.toContain(dashboard);
    expect(policy(server1Role)).not.toContain('DatabaseSecret');
  });

  it('reads an OpenAI key only from a named secret when one is configured', () => {
    expect(userData(rds.json, 'Server2')).not.toContain('OPENAI_API_KEY');
    const script = userData(variant.json, 'Server2');
    expect(script).toMatch(/put OPENAI_API_KEY "\$\(secret '.*prod\/logpulse\/openai.*'\)"/);
    expect(script).toContain("OPENAI_MODEL='gpt-4o-mini'");
  });
});

describe('database', () => {
  it('on RDS: PostgreSQL, encrypted, Multi-AZ, backed up, private, deletion-protected', () => {
    rds.template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: Match.stringLikeRegexp('^17'),
      StorageEncrypted: true,
      MultiAZ: true,
      BackupRetentionPeriod: 7,
      DeletionProtection: true,
      PubliclyAccessible: false,
      DBName: 'logpulse',
    });
    rds.template.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot' });
    variant.template.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: false, BackupRetentionPeriod: 14, StorageEncrypted: true });
  });

  it('on RDS: the gateway gets a TLS-verified DATABASE_URL built from the generated credentials', () => {
    const script = userData(rds.json, 'Server2');
    expect(script).toMatch(/put DATABASE_URL "\$\(secret '<Ref:DatabaseSecretAttachment\w*>' \| jq -r .*sslmode=verify-full&sslrootcert=\/certs\/rds-ca\.pem/);
    expect(script).toContain('/opt/logpulse/certs/rds-ca.pem:/certs/rds-ca.pem:ro');
    expect(script).toMatch(/up -d --build --no-deps --remove-orphans gateway web$/m);
  });

  it('on server 2 (as the original): PostgreSQL runs in compose there, no RDS, larger disk', () => {
    onServer.template.resourceCountIs('AWS::RDS::DBInstance', 0);
    const script = userData(onServer.json, 'Server2');
    expect(script).toMatch(/up -d --build --no-deps --remove-orphans postgres gateway web$/m);
    expect(script).not.toContain('DATABASE_URL');
    const password = logicalId(onServer.json, 'AWS::SecretsManager::Secret', 'DatabasePassword');
    expect(script).toContain(`put POSTGRES_PASSWORD "$(secret '<Ref:${password}>')"`);
    const server2 = logicalId(onServer.json, 'AWS::EC2::Instance', 'Server2');
    const template = onServer.json.Resources[server2]!.Properties.LaunchTemplate as unknown;
    expect(template).toBeDefined();
    onServer.template.hasResourceProperties('AWS::EC2::Instance', {
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 100, VolumeType: 'gp3', Encrypted: true } }],
    });
  });
});

describe('servers', () => {
  it('run in private subnets with IMDSv2, SSM access and no SSH key', () => {
    const instances = resources(rds.json, 'AWS::EC2::Instance');
    expect(instances).toHaveLength(2);
    for (const [, i] of instances) {
      expect(i.Properties.KeyName).toBeUndefined();
      expect(JSON.stringify(i.Properties.SubnetId)).toMatch(/privateSubnet/);
    }
    rds.template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } },
    });
    rds.template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('AmazonSSMManagedInstanceCore')])] }],
    });
  });

  it('install Docker with Compose and send container logs to a retained CloudWatch group', () => {
    const group = logicalId(rds.json, 'AWS::Logs::LogGroup', 'ContainerLogs');
    rds.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    variant.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    for (const server of ['Server1', 'Server2']) {
      const script = userData(rds.json, server);
      expect(script).toContain('dnf install -y docker');
      expect(script).toContain('/usr/local/lib/docker/cli-plugins/docker-compose');
      expect(script).toContain(`"awslogs-group": "<Ref:${group}>"`);
      expect(script).toContain('/opt/logpulse/deploy.sh');
    }
  });

  it('redeploy on every new release through an SSM association keyed by the asset hash', () => {
    const associations = resources(rds.json, 'AWS::SSM::Association').map(([, a]) => a.Properties);
    expect(associations).toHaveLength(2);
    for (const a of associations) {
      expect(a.Name).toBe('AWS-RunShellScript');
      const commands = (a.Parameters as { commands: string[] }).commands;
      expect(commands[0]).toMatch(/^# release [0-9a-f]{64}$/);
      expect(commands.join('\n')).toContain('/opt/logpulse/deploy.sh');
    }
  });

  it('user data and deploy script are valid bash', () => {
    for (const { json } of [rds, onServer]) {
      for (const server of ['Server1', 'Server2']) {
        const script = userData(json, server);
        const check = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
        expect(check.stderr, `${server} user data`).toBe('');
        expect(check.status).toBe(0);
        const deploy = /cat > \/opt\/logpulse\/deploy\.sh <<'SCRIPT'\n([\s\S]*?)\nSCRIPT\n/.exec(script)?.[1];
        expect(deploy).toBeDefined();
        expect(spawnSync('bash', ['-n'], { input: deploy, encoding: 'utf8' }).status).toBe(0);
      }
    }
  });
});

describe('alarms', () => {
  const alarms = resources(rds.json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const topic = logicalId(rds.json, 'AWS::SNS::Topic', 'Alarms');

  it('watch unhealthy hosts behind each NLB and notify the alarm topic', () => {
    const unhealthy = alarms.filter((a) => a.MetricName === 'UnHealthyHostCount');
    expect(unhealthy).toHaveLength(2);
    for (const a of unhealthy) {
      expect(a).toMatchObject({ Namespace: 'AWS/NetworkELB', Threshold: 1, AlarmActions: [{ Ref: topic }] });
    }
    rds.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('watch both instances status checks and recover a failed host', () => {
    const status = alarms.filter((a) => a.MetricName === 'StatusCheckFailed');
    const system = alarms.filter((a) => a.MetricName === 'StatusCheckFailed_System');
    expect(status).toHaveLength(2);
    expect(system).toHaveLength(2);
    for (const a of system) expect(JSON.stringify(a.AlarmActions)).toContain(':ec2:recover');
  });
});

describe('settings', () => {
  const base = { domainName: 'logs.acme.dev', hostedZoneId: 'Z123ABC' };
  const read = (c: Record<string, string>) => readSettings((k) => c[k]);

  it('derive the zone and ingest names and parse context strings', () => {
    const s = read({ ...base, adminCidrs: '10.0.0.0/8, 192.0.2.1/32', dbMultiAz: 'false', natGateways: '2' });
    expect(s).toMatchObject({
      hostedZoneName: 'acme.dev',
      ingestDomainName: 'ingest.logs.acme.dev',
      adminCidrs: ['10.0.0.0/8', '192.0.2.1/32'],
      dbMultiAz: false,
      natGateways: 2,
      database: 'rds',
    });
  });

  it('refuse bad or missing values with a message naming the key', () => {
    expect(() => read({})).toThrow(/-c domainName[\s\S]*-c hostedZoneId/);
    expect(() => read({ ...base, adminCidrs: 'everyone' })).toThrow(/adminCidrs/);
    expect(() => read({ ...base, database: 'mysql' })).toThrow(/database/);
    expect(() => read({ ...base, logRetentionDays: '10' })).toThrow(/logRetentionDays/);
    expect(() => read({ ...base, hostedZoneName: 'other.dev' })).toThrow(/not inside the hosted zone/);
  });
});

// Keeps the helper types honest: a resource always has properties in a synthesised template.
export type { CfnResource };
