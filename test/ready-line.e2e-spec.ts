import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { stopProcess } from './support/cli';
import { MAIN, removeDir, tempDir, vacantPort } from './support/service';

/** The built service prints one line on stdout once it is ready, whatever LOG_LEVEL. */
describe('the ready line', () => {
  it.each(['silent', 'info'])('LOG_LEVEL=%s: "hexastore listening on …" once, when /health/ready answers', async (level) => {
    const dir = tempDir();
    const port = await vacantPort();
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, STORE_DATA_DIR: join(dir, 'data'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: level },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const expected = `hexastore listening on http://127.0.0.1:${port} (sqlite, data ${join(dir, 'data')})`;
    try {
      // Waits for the line itself (the test's timeout bounds the wait), then asks the service.
      await new Promise<void>((done, fail) => {
        const check = () => stdout.split('\n').includes(expected) && done();
        child.stdout.on('data', check);
        child.once('exit', (code) => fail(new Error(`the service exited with ${code} before its ready line; stdout: ${stdout}`)));
        check();
      });
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
      await fetch(`http://127.0.0.1:${port}/v1/namespaces`);
    } finally {
      await stopProcess(child);
      removeDir(dir);
    }
    const lines = stdout.split('\n').filter((line) => line.startsWith('hexastore listening'));
    expect(lines).toEqual([expected]);
    if (level === 'silent') expect(stdout).toBe(`${expected}\n`);
  });
});
