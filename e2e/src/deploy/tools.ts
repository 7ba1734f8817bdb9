import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../root';

type DeployTools = {
  DEPLOY_TOOLS: Record<string, string>;
  findCommand(command: string): string | null;
};

let loaded: Promise<DeployTools> | undefined;
function deployTools(): Promise<DeployTools> {
  // scripts/lib is ESM; this package is CommonJS.
  loaded ??= import(pathToFileURL(join(ROOT, 'scripts', 'lib', 'deploy-tools.mjs')).href) as Promise<DeployTools>;
  return loaded;
}

/**
 * Path of a real tool the deployment checks run (promtool, prometheus, docker-compose, kubectl,
 * psql…). A missing tool fails the check with the package to install; it never skips it.
 */
export async function requireTool(command: string): Promise<string> {
  const tools = await deployTools();
  const found = tools.findCommand(command);
  if (found) return found;
  const pkg = tools.DEPLOY_TOOLS[command] ?? command;
  throw new Error(
    `${command} is not installed. The deployment checks run the real tool: apt-get install -y ${pkg} ` +
      '(or node scripts/install-deploy-tools.mjs, which `npm test` and .ci/run run as root).',
  );
}
