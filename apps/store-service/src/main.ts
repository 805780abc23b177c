import 'reflect-metadata';
import { StoreError } from '@app/store';
import { ConfigError, loadConfigFromEnvironment } from './config/config';
import { createHttpApp } from './http-app';

async function main(): Promise<void> {
  const config = loadConfigFromEnvironment();
  const app = await createHttpApp(config);
  await app.listen({ port: config.port, host: config.host });
}

const oneLine = (error: unknown) =>
  error instanceof ConfigError ? error.message
  : error instanceof StoreError && error.code === 'CONFIG_INVALID' ? `invalid config file: ${error.message}`
  : undefined;

main().catch((error: unknown) => {
  process.stderr.write(`hexastore: ${oneLine(error) ?? (error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
