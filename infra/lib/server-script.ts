// The first-boot script of a logpulse server (EC2 user data) and the deploy script it installs.
// Kept as plain text built from plain values (CDK tokens are just strings here), so tests can
// read exactly what a server will run.

/** Docker Compose and Buildx are not packaged for Amazon Linux 2023: pinned release binaries. */
export const COMPOSE_VERSION = 'v2.40.3';
export const BUILDX_VERSION = 'v0.29.1';
/** Amazon RDS certificate bundle, for `sslmode=verify-full` from the gateway. */
export const RDS_CA_BUNDLE_URL = 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem';
/** Where the RDS bundle is mounted in the gateway container. */
export const RDS_CA_IN_CONTAINER = '/certs/rds-ca.pem';

/** How one variable of the server's .env is read from Secrets Manager. */
export type SecretEnv =
  | { name: string; secretArn: string; kind: 'plain' }
  /** A field of a JSON secret (RDS generated credentials). */
  | { name: string; secretArn: string; kind: 'json'; field: string }
  /** DATABASE_URL assembled from RDS generated credentials, URL-encoded, TLS verified. */
  | { name: string; secretArn: string; kind: 'rds-url' };

export interface ServerScriptOptions {
  /** "server1" (target server + Fluent Bit) or "server2" (gateway + web [+ postgres]). */
  role: string;
  region: string;
  /** SSM parameter holding the S3 URL of the current release bundle (the repository). */
  releaseParameterName: string;
  /** CloudWatch log group the Docker awslogs driver writes every container's output to. */
  logGroupName: string;
  /** Non-secret .env entries (written into the user data as they are). */
  settings: Record<string, string>;
  /** Secret .env entries, fetched at deploy time and written only to a 0600 file. */
  secrets: SecretEnv[];
  /** docker-compose.yml services this server runs. */
  services: string[];
  /** Extra compose file merged over docker-compose.yml on this server. */
  composeOverride?: string;
  /** Download the RDS CA bundle for the gateway. */
  rdsCa?: boolean;
}

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
const DEPLOY_DIR = '/opt/logpulse';

function envLine(name: string, value: string): string {
  if (!ENV_NAME.test(name)) throw new Error(`not an environment variable name: ${name}`);
  if (/['\n]/.test(value)) throw new Error(`setting ${name} must not contain quotes or newlines`);
  return `${name}='${value}'`;
}

function secretLine(s: SecretEnv): string {
  if (!ENV_NAME.test(s.name)) throw new Error(`not an environment variable name: ${s.name}`);
  const read = `secret '${s.secretArn}'`;
  switch (s.kind) {
    case 'plain':
      return `  put ${s.name} "$(${read})"`;
    case 'json':
      return `  put ${s.name} "$(${read} | jq -r '.${s.field}')"`;
    case 'rds-url':
      return (
        `  put ${s.name} "$(${read} | jq -r '"postgresql://\\(.username|@uri):\\(.password|@uri)@\\(.host):\\(.port)/` +
        `\\(.dbname // "logpulse")?sslmode=verify-full&sslrootcert=${RDS_CA_IN_CONTAINER}"')"`
      );
  }
}

/** The deploy script: safe to run again (first boot, and each release through SSM). */
export function deployScript(o: ServerScriptOptions): string {
  const files = o.composeOverride ? '-f docker-compose.yml -f ../compose.aws.yml' : '-f docker-compose.yml';
  return [
    '#!/bin/bash',
    `# Deploys logpulse ${o.role}: fetches the release named in SSM and the secrets, writes them to a`,
    '# 0600 .env, then (re)starts this server\'s docker-compose.yml services. Idempotent.',
    'set -euo pipefail',
    `exec 9>${DEPLOY_DIR}/deploy.lock`,
    'flock 9',
    `region='${o.region}'`,
    `cd ${DEPLOY_DIR}`,
    `release=$(aws ssm get-parameter --region "$region" --name '${o.releaseParameterName}' --query Parameter.Value --output text)`,
    'aws s3 cp --only-show-errors --region "$region" "$release" release.zip',
    'install -d release',
    'unzip -q -o release.zip -d release',
    ...(o.rdsCa
      ? [
          'install -d certs',
          `curl -fsSL --retry 5 -o certs/rds-ca.pem.new ${RDS_CA_BUNDLE_URL}`,
          'mv certs/rds-ca.pem.new certs/rds-ca.pem',
        ]
      : []),
    'secret() { aws secretsmanager get-secret-value --region "$region" --secret-id "$1" --query SecretString --output text; }',
    "put() {",
    "  case \"$2\" in *\\'*|*$'\\n'*|'') echo \"secret for $1 is empty or holds a quote/newline\" >&2; exit 1;; esac",
    "  printf \"%s='%s'\\n\" \"$1\" \"$2\"",
    '}',
    'umask 077',
    '{',
    '  cat settings.env',
    ...o.secrets.map(secretLine),
    '} > release/.env.new',
    'mv release/.env.new release/.env',
    'cd release',
    `docker compose ${files} up -d --build --no-deps --remove-orphans ${o.services.join(' ')}`,
    'docker image prune -f',
    '',
  ].join('\n');
}

/** EC2 user data: installs Docker (logging to CloudWatch), the settings and deploy script, and deploys. */
export function serverScript(o: ServerScriptOptions): string {
  const settings = Object.entries(o.settings).map(([k, v]) => envLine(k, v));
  const daemon = JSON.stringify(
    {
      'log-driver': 'awslogs',
      'log-opts': { 'awslogs-region': o.region, 'awslogs-group': o.logGroupName, tag: '{{.Name}}', mode: 'non-blocking' },
    },
    null,
    2,
  );
  return [
    '#!/bin/bash',
    `# logpulse ${o.role}: Docker with Compose, then this server's services from docker-compose.yml.`,
    'set -euo pipefail',
    'exec > >(tee -a /var/log/logpulse-setup.log) 2>&1',
    'dnf install -y docker jq unzip',
    'install -d /etc/docker',
    "cat > /etc/docker/daemon.json <<'JSON'",
    daemon,
    'JSON',
    'systemctl enable --now docker',
    'arch=$(uname -m)',
    'case "$arch" in aarch64) goarch=arm64;; *) goarch=amd64;; esac',
    'install -d /usr/local/lib/docker/cli-plugins',
    `curl -fsSL --retry 5 -o /usr/local/lib/docker/cli-plugins/docker-compose https://github.com/docker/compose/releases/download/${COMPOSE_VERSION}/docker-compose-linux-$arch`,
    `curl -fsSL --retry 5 -o /usr/local/lib/docker/cli-plugins/docker-buildx https://github.com/docker/buildx/releases/download/${BUILDX_VERSION}/buildx-${BUILDX_VERSION}.linux-$goarch`,
    'chmod 0755 /usr/local/lib/docker/cli-plugins/docker-compose /usr/local/lib/docker/cli-plugins/docker-buildx',
    `install -d -m 0700 ${DEPLOY_DIR}`,
    `cat > ${DEPLOY_DIR}/settings.env <<'ENV'`,
    ...settings,
    'ENV',
    ...(o.composeOverride ? [`cat > ${DEPLOY_DIR}/compose.aws.yml <<'YAML'`, o.composeOverride.trimEnd(), 'YAML'] : []),
    `cat > ${DEPLOY_DIR}/deploy.sh <<'SCRIPT'`,
    deployScript(o).trimEnd(),
    'SCRIPT',
    `chmod 0700 ${DEPLOY_DIR}/deploy.sh`,
    `${DEPLOY_DIR}/deploy.sh`,
    '',
  ].join('\n');
}

/** The .env variable names a server script provides (settings and secrets). */
export function providedEnv(o: ServerScriptOptions): string[] {
  return [...Object.keys(o.settings), ...o.secrets.map((s) => s.name)];
}
