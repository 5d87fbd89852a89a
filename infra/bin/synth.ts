// `npm run infra:synth [-- -c key=value ...]`: writes the CloudFormation template to infra/cdk.out
// without AWS credentials. Missing required context is filled with example values (and said so),
// so the recipe can be read and reviewed on a fresh clone.
import { App } from 'aws-cdk-lib';
import { createLogpulseApp } from '../lib/app.ts';
import { EXAMPLE_CONTEXT } from '../lib/settings.ts';

function parseContextArgs(argv: string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const pair = arg === '-c' || arg === '--context' ? argv[++i] : arg.startsWith('--context=') ? arg.slice(10) : undefined;
    const eq = pair?.indexOf('=') ?? -1;
    if (!pair || eq < 1) throw new Error(`unexpected argument "${arg}": use -c key=value`);
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return context;
}

try {
  const given = parseContextArgs(process.argv.slice(2));
  const example = given.domainName === undefined && given.hostedZoneId === undefined;
  const context = example ? { ...EXAMPLE_CONTEXT, ...given } : given;
  const app = new App({ outdir: new URL('../cdk.out', import.meta.url).pathname, context });
  const stack = createLogpulseApp(app);
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName);
  const resources = Object.keys((template.template as { Resources?: object }).Resources ?? {}).length;
  if (example) console.log(`Example context (${EXAMPLE_CONTEXT.domainName}); pass -c domainName=... -c hostedZoneId=... for yours.`);
  console.log(`${stack.stackName}: ${resources} resources -> ${template.templateFullPath}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
