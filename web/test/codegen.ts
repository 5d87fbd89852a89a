import { generate } from '@graphql-codegen/cli';
import config from '../../codegen.ts';

/** Vitest global setup: regenerate src/gql from schema.graphql before any web test runs. */
export default async function setup(): Promise<void> {
  await generate({ ...config, silent: true }, true);
}
