import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Gauge, Registry } from 'prom-client';

/**
 * `build_info` = 1, labelled with what is running: the package version, Node's version and, when the image was built
 * with it, the commit. BUILD_COMMIT is read here, from the environment, on purpose: it describes the build (set by
 * the image build or the deployment), not the service's behaviour, so it is no setting of the configuration.
 */
export function registerBuildInfo(registry: Registry, env: NodeJS.ProcessEnv = process.env): void {
  const gauge = new Gauge({
    name: 'build_info',
    help: 'Always 1; the labels say which build is running (version from package.json, Node version, commit from BUILD_COMMIT)',
    labelNames: ['version', 'node_version', 'commit'],
    registers: [registry],
  });
  gauge.set({ version: packageVersion(), node_version: process.version, commit: env.BUILD_COMMIT?.trim() || 'unknown' }, 1);
}

function packageVersion(): string {
  try {
    // src/metrics (ts-jest) and dist/metrics (the image, which keeps package.json beside dist) are both two levels down.
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
