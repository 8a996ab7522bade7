/**
 * Starts a throw-away PostgreSQL server for tests: initdb into a temp dir, pg_ctl start on 127.0.0.1 with a random
 * port and the socket in the temp dir, trust auth. Works as root (runs the server as the `postgres` OS user through
 * runuser, since postgres refuses to run as root) and as an ordinary user. stop()/start() keep the data dir so fault
 * tests can take the server away mid-call and bring it back; destroy() stops it and removes the dir.
 *
 * Binaries: $HOOKSCRIBE_PG_BIN, else `pg_config --bindir`, else the newest /usr/lib/postgresql/<v>/bin.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './services-free-port.js';

const run = promisify(execFile);

export interface PostgresService {
  /** postgres://hookscribe@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** stop the server (fast shutdown); data is kept */
  stop(): Promise<void>;
  /** start it again on the same port with the same data */
  start(): Promise<void>;
  /** stop and remove everything */
  destroy(): Promise<void>;
}

async function binDir(): Promise<string> {
  if (process.env.HOOKSCRIBE_PG_BIN) return process.env.HOOKSCRIBE_PG_BIN;
  try {
    const { stdout } = await run('pg_config', ['--bindir']);
    const dir = stdout.trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // Debian puts the server binaries outside PATH; look there next
  }
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((name) => existsSync(join(base, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined)
    throw new Error('PostgreSQL server binaries not found: install postgresql or set HOOKSCRIBE_PG_BIN');
  return join(base, versions[0], 'bin');
}

async function osUserIds(name: string): Promise<{ uid: number; gid: number }> {
  try {
    const uid = Number((await run('id', ['-u', name])).stdout.trim());
    const gid = Number((await run('id', ['-g', name])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new Error(
      `running as root, PostgreSQL must run as the OS user "${name}", which does not exist: install the postgresql package`,
    );
  }
}

export async function startPostgres(): Promise<PostgresService> {
  const bin = await binDir();
  const root = mkdtempSync(join(tmpdir(), 'hookscribe-pg-'));
  const data = join(root, 'data');
  const log = join(root, 'server.log');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = await osUserIds('postgres');
    chownSync(root, uid, gid);
  }
  const exec = async (program: string, args: string[]): Promise<void> => {
    const file = join(bin, program);
    try {
      if (asRoot) await run('runuser', ['-u', 'postgres', '--', file, ...args], { cwd: root });
      else await run(file, args, { cwd: root });
    } catch (error) {
      const detail = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${program} failed: ${detail.stderr || detail.stdout || detail.message}`);
    }
  };

  await exec('initdb', [
    '-D',
    data,
    '-U',
    'hookscribe',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
    '--no-instructions',
  ]);
  const port = await freePort();
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`;
  const start = (): Promise<void> =>
    exec('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
  const stop = (): Promise<void> => exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  await start();
  let running = true;

  return {
    url: `postgres://hookscribe@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (!running) return;
      await stop();
      running = false;
    },
    async start() {
      if (running) return;
      await start();
      running = true;
    },
    async destroy() {
      if (running) await stop().catch(() => undefined);
      running = false;
      rmSync(root, { recursive: true, force: true });
    },
  };
}
