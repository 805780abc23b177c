/**
 * The README's shell examples, run in order against one fresh service, so that every example is
 * known to work as printed. Each ```bash block runs with bash (the service's address put in for
 * http://127.0.0.1:3000 and :3001 — the "other replica" of the read-your-writes example is the same
 * service here — and its gRPC and microservice ports for 127.0.0.1:50051 and port 4000; node finds
 * the repository's packages and libs/); blocks marked ```bash norun are listed below with the reason they cannot run here.
 * The service starts with the README's ```yaml config file as its STORE_CONFIG, as "Config file and
 * HotReload" shows.
 *
 * `hexastore` runs the built CLI, against the service (HEXASTORE_URL).
 *
 * Every curl is recorded (status, headers, body) by a `curl` shell function around the real one,
 * which adds -sS and cuts a streaming request (-N) after 2 s. A block passes when bash exits 0 and
 * every curl's answer matches what the README says of it, loosely:
 * - a `# => [status] {…}` line after a command: that status if one is shown, else a 2xx, and the
 *   top-level fields shown are in the answer;
 * - otherwise a 2xx, or a status the command's own comment names (`# 204; 404; 409`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { removeDir, RunningService, startService, tempDir, vacantPort } from './support/service';
import { CLI } from './support/cli';

const README = resolve(__dirname, '../README.md');

/** The blocks that do not run here, by their first line, and why. */
const NOT_RUN: Record<string, string> = {
  'npm ci && npm start': 'installs, builds and starts the service in the foreground',
  'hexastore put billing plans/pro': 'the CLI tour (needs the built CLI on PATH, a logo.png, a point id, and `watch` runs until Ctrl-C); test/cli*.e2e-spec.ts run each command',
  'kill -HUP': 'signals the service process (the example needs its pid)',
  'npm run bench': 'takes minutes and installs etcd and wrk',
  'docker compose up --build': 'needs a Docker engine',
  '# a secret, and its SHA-256: only the hash goes in the config file': 'starts a second service with STORE_AUTH=on (test/authentication.e2e-spec.ts takes the same steps)',
  "EVENTSTORE_CONNECTION_STRING='esdb://": 'needs a running EventStoreDB node',
  'RATE_LIMIT_REQUESTS=600 RATE_LIMIT_WINDOW_MS=60000 npm start &': 'starts a second service with rate limits (test/rate-limits.e2e-spec.ts takes the same steps)',
  '# make a master key: 32 random bytes, here as base64; keep it out of the data dir and out of backups':
    'writes under /etc and starts a second service with a master key (test/cli-master-key.e2e-spec.ts and test/startup-errors.e2e-spec.ts take the same steps)',
  '# an encrypted namespace (the service runs with STORE_MASTER_KEY_FILE)':
    'needs a service started with a master key (test/encryption.e2e-spec.ts and test/cli-keys.e2e-spec.ts take the same steps)',
};

interface Block {
  /** README line of the block's first line. */
  start: number;
  info: string;
  lines: string[];
}

function blocks(markdown: string): Block[] {
  const found: Block[] = [];
  let open: Block | undefined;
  markdown.split('\n').forEach((line, index) => {
    const fence = /^```(.*)$/.exec(line);
    if (fence && !open) open = { start: index + 2, info: fence[1].trim(), lines: [] };
    else if (fence && open) {
      found.push(open);
      open = undefined;
    } else open?.lines.push(line);
  });
  return found;
}

const PREAMBLE = `
set -e
trap 'echo "exit status $? at block line $LINENO" >> "$README_LOG/failure"' ERR
curl() {
  local n rc stream=()
  n=$(( $(cat "$README_LOG/count" 2>/dev/null || echo 0) + 1 ))
  echo "$n" > "$README_LOG/count"
  echo "\${BASH_LINENO[0]}" > "$README_LOG/$n.line"
  for arg in "$@"; do [ "$arg" = -N ] && stream=(--max-time 2); done
  command curl -sS "\${stream[@]}" -D "$README_LOG/$n.head" "$@" | tee "$README_LOG/$n.body"
  rc=\${PIPESTATUS[0]}
  if [ "\${#stream[@]}" -gt 0 ] && [ "$rc" = 28 ]; then rc=0; fi
  return "$rc"
}
`;

function run(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn('bash', [script], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

/** The comment of a line (` # …`), if any. */
const commentOf = (line: string) => /\s#\s?(.*)$/.exec(line)?.[1];

/** The top-level field names of a JSON-ish object as the README shows it (with … for elisions). */
function topLevelFields(text: string): string[] {
  const fields: string[] = [];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      const name = /^"(\w+)"\s*:/.exec(text.slice(i));
      if (name && depth === 1) fields.push(name[1]);
      inString = true;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return fields;
}

/** What the README says of the command starting at block line `at` (1-based). */
function expectation(lines: string[], at: number): { arrow?: string; comment: string } {
  let end = at - 1;
  let quotes = (lines[end].match(/'/g) ?? []).length;
  while (end + 1 < lines.length && (/\\\s*(#.*)?$/.test(lines[end]) || quotes % 2 === 1)) {
    end++;
    quotes += (lines[end].match(/'/g) ?? []).length;
  }
  const comment = lines.slice(at - 1, end + 1).map(commentOf).filter(Boolean).join(' ');
  let arrow: string | undefined;
  if (/^#\s*=>/.test(lines[end + 1] ?? '')) {
    arrow = lines[end + 1].replace(/^#\s*=>\s*/, '');
    for (let i = end + 2; i < lines.length && /^#\s{2,}/.test(lines[i]); i++) arrow += lines[i].replace(/^#\s*/, '');
  }
  return { arrow, comment };
}

const all = blocks(readFileSync(README, 'utf8'));
const runnable = all.filter((b) => b.info === 'bash');

let service: RunningService;
let work: string;
/** gRPC and the microservice transport, which the README shows at 127.0.0.1:50051 and port 4000. */
let grpcPort: number;
let microservicePort: number;

beforeAll(async () => {
  work = tempDir('hexastore-readme-');
  const config = all.find((b) => b.info === 'yaml' && b.lines[0] === 'namespaces:');
  if (!config) throw new Error('README.md has no ```yaml config file example');
  writeFileSync(join(work, 'store.yaml'), config.lines.join('\n') + '\n');
  [grpcPort, microservicePort] = [await vacantPort(), await vacantPort()];
  service = await startService({
    env: { STORE_CONFIG: join(work, 'store.yaml'), GRPC_PORT: String(grpcPort), MICROSERVICE_PORT: String(microservicePort) },
  });
  // The gRPC and microservice examples run "from the repository": its protocol file and packages.
  symlinkSync(resolve(__dirname, '../libs'), join(work, 'libs'));
  mkdirSync(join(work, 'bin'));
  writeFileSync(join(work, 'bin', 'hexastore'), `#!/usr/bin/env bash\nexec node ${JSON.stringify(CLI)} "$@"\n`, { mode: 0o755 });
});

afterAll(async () => {
  await service?.close();
  removeDir(work);
});

it('runs every shell block but a few, each listed with its reason', () => {
  expect(runnable.length).toBeGreaterThan(12);
  const notRun = all.filter((b) => b.info.startsWith('bash') && b.info !== 'bash');
  expect(notRun.map((b) => b.info)).toEqual(notRun.map(() => 'bash norun'));
  const reasons = notRun.map((b) => Object.keys(NOT_RUN).find((first) => b.lines[0].startsWith(first)) ?? `unlisted: README.md:${b.start} ${b.lines[0]}`);
  expect(reasons.sort()).toEqual(Object.keys(NOT_RUN).sort());
  // Nothing in a runnable block only works on one machine or with a placeholder.
  for (const block of runnable) {
    for (const [i, line] of block.lines.entries()) {
      expect({ at: `README.md:${block.start + i}`, placeholder: /<[a-z-]+>|\w…|…:|\bopen http/.test(line.replace(/(^|\s)#.*$/, '')) })
        .toEqual({ at: `README.md:${block.start + i}`, placeholder: false });
    }
  }
});

describe.each(runnable.map((b) => [`README.md:${b.start}`, b] as [string, Block]))('the block at %s', (where, block) => {
  it('runs, and every curl answers what the README shows', async () => {
    const log = join(work, `log-${block.start}`);
    mkdirSync(log);
    const preamble = join(log, 'preamble.sh');
    const script = join(log, 'block.sh');
    writeFileSync(preamble, PREAMBLE);
    const text = block.lines.join('\n').replace(/http:\/\/127\.0\.0\.1:300[01]/g, service.url)
      .replace(/127\.0\.0\.1:50051/g, `127.0.0.1:${grpcPort}`).replace(/port: 4000\b/g, `port: ${microservicePort}`);
    writeFileSync(script, text + '\n');
    const { code, output } = await run(script, work, {
      BASH_ENV: preamble, README_LOG: log, HEXASTORE_URL: service.url, PATH: `${join(work, 'bin')}:${process.env.PATH}`,
      NODE_PATH: resolve(__dirname, '../node_modules'),
    });
    const problems: string[] = [];
    if (code !== 0) {
      const failure = readFileSync(join(log, 'failure'), { encoding: 'utf8', flag: 'a+' }).trim();
      const line = /at block line (\d+)/.exec(failure)?.[1];
      problems.push(`README.md:${line ? block.start + Number(line) - 1 : block.start}: bash exited ${code} (${failure || 'no ERR trap'}): ${output.slice(-500)}`);
    }
    const calls = readdirSync(log).filter((f) => f.endsWith('.line')).map((f) => Number(f.split('.')[0])).sort((a, b) => a - b);
    for (const n of calls) {
      const at = Number(readFileSync(join(log, `${n}.line`), 'utf8'));
      const head = readFileSync(join(log, `${n}.head`), { encoding: 'utf8', flag: 'a+' });
      const status = Number([...head.matchAll(/^HTTP\/[\d.]+ (\d{3})/gm)].pop()?.[1] ?? 0);
      const text = readFileSync(join(log, `${n}.body`), 'utf8');
      const line = `README.md:${block.start + at - 1}`;
      const { arrow, comment } = expectation(block.lines, at);
      const shown = arrow ? Number(/^(\d{3})\b/.exec(arrow)?.[1] ?? 0) : 0;
      const named = [...comment.matchAll(/\b([1-5]\d\d)\b/g)].map((m) => Number(m[1]));
      const ok = shown ? status === shown : (status >= 200 && status < 300) || (!arrow && named.includes(status));
      if (!ok) problems.push(`${line}: answered ${status}${shown ? `, README shows ${shown}` : ''}: ${text.slice(0, 300)}`);
      const object = arrow?.replace(/^\d{3}\s*/, '');
      if (ok && object?.startsWith('{')) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        const missing = topLevelFields(object).filter((f) => typeof body !== 'object' || body === null || !(f in body));
        if (missing.length > 0) problems.push(`${line}: the answer lacks ${missing.join(', ')}: ${text.slice(0, 300)}`);
      }
    }
    expect(calls.length).toBeGreaterThan(0);
    expect({ where, problems }).toEqual({ where, problems: [] });
  });
});
