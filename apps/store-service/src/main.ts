import 'reflect-metadata';
import { ConfigError, loadConfigFromEnvironment } from './config/config';
import { createHttpApp } from './http-app';

async function main(): Promise<void> {
  const config = loadConfigFromEnvironment();
  const app = await createHttpApp(config);
  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  process.stderr.write(`hexastore: ${error instanceof ConfigError ? error.message : (error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
