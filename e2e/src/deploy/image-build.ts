import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { BuildContext } from './build-context';
import { CopyStep, Dockerfile, Stage, Step, copySteps, stageEnv } from './dockerfile';

export interface SimulatedStage {
  stage: Stage;
  /** The directory standing for the stage's "/". */
  root: string;
}

export interface SimulationOptions {
  context: BuildContext;
  /**
   * Stages not carried out but taken from a directory: name → { image path → host directory }.
   * E.g. the build stage's /repo is the repository after `tsc -b` (same sources, same compiler).
   */
  prebuilt?: Record<string, Record<string, string>>;
}

export interface Simulation {
  dir: string;
  stages: Map<string, SimulatedStage>;
  /** Host path of an image path in a stage. */
  hostPath(stage: SimulatedStage, imagePath: string): string;
  remove(): void;
}

const HANDLED = new Set(['WORKDIR', 'COPY', 'RUN', 'ENV', 'USER', 'EXPOSE', 'HEALTHCHECK', 'CMD', 'LABEL']);

/**
 * A Dockerfile carried out without Docker, to check what an image would hold: each stage's
 * filesystem is a directory (holding only what the Dockerfile puts there, not the base image),
 * COPY copies from the build context as .dockerignore filters it, RUN runs the command with this
 * machine's node and npm in the stage's WORKDIR. npm uses its cache first
 * (npm_config_prefer_offline), so an `npm ci` takes seconds.
 */
export async function simulateBuild(dockerfile: Dockerfile, options: SimulationOptions): Promise<Simulation> {
  const dir = mkdtempSync(join(scratchDir(), 'etsr-image-'));
  const stages = new Map<string, SimulatedStage>();
  const hostPath = (stage: SimulatedStage, imagePath: string) => join(stage.root, imagePath);
  // rm -rf: fs.rmSync takes seconds more over a few node_modules.
  const remove = () => void spawnSync('rm', ['-rf', dir]);
  const simulation: Simulation = { dir, stages, hostPath, remove };
  try {
    for (const stage of dockerfile.stages) {
      const key = stage.name ?? String(stage.index);
      if (options.prebuilt?.[key]) continue;
      const simulated: SimulatedStage = { stage, root: join(dir, `stage-${stage.index}`) };
      mkdirSync(simulated.root, { recursive: true });
      stages.set(key, simulated);
      for (const step of stage.steps) await carryOut(step, simulated, stage, simulation, options);
    }
    return simulation;
  } catch (e) {
    simulation.remove();
    throw e;
  }
}

async function carryOut(step: Step, target: SimulatedStage, stage: Stage, simulation: Simulation, options: SimulationOptions): Promise<void> {
  if (!HANDLED.has(step.keyword)) throw new Error(`line ${step.line}: the simulation does not know ${step.keyword}`);
  if (step.keyword === 'WORKDIR') mkdirSync(simulation.hostPath(target, step.workdir), { recursive: true });
  if (step.keyword === 'COPY') {
    const copy = copySteps({ ...stage, steps: [step] })[0];
    if (copy.from) await copyFromStage(copy, target, simulation, options);
    else copyFromContext(copy, target, simulation, options.context);
  }
  if (step.keyword === 'RUN') {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), npm_config_prefer_offline: 'true', ...envBefore(stage, step) };
    const command = step.exec ?? ['sh', '-c', step.content];
    const result = await run(command, simulation.hostPath(target, step.workdir), env);
    if (result.code !== 0) throw new Error(`line ${step.line}: RUN ${step.content} failed (exit ${result.code}):\n${result.output.slice(-4000)}`);
  }
}

/** The ENV in effect at a step: only the ENV lines above it. */
function envBefore(stage: Stage, step: Step): Record<string, string> {
  return stageEnv({ ...stage, steps: stage.steps.slice(0, stage.steps.indexOf(step)) });
}

function copyFromContext(copy: CopyStep, target: SimulatedStage, simulation: Simulation, context: BuildContext): void {
  for (const source of copy.sources) {
    if (/[*?[]/.test(source)) throw new Error(`line ${copy.line}: wildcards (${source}) are not simulated`);
    const files = context.files(source);
    if (files.length === 0) throw new Error(`line ${copy.line}: COPY ${source}: not in the build context (missing, or excluded by .dockerignore)`);
    const isDir = statSync(join(context.root, source)).isDirectory();
    for (const file of files) {
      const inside = isDir ? posix.relative(posix.normalize(source), file) : posix.basename(file);
      const dest = isDir || copy.destIsDir ? posix.join(copy.dest, inside) : copy.dest;
      const host = simulation.hostPath(target, dest);
      mkdirSync(dirname(host), { recursive: true });
      cpSync(join(context.root, file), host);
    }
  }
}

async function copyFromStage(copy: CopyStep, target: SimulatedStage, simulation: Simulation, options: SimulationOptions): Promise<void> {
  const from = copy.from!;
  const source = simulation.stages.get(from);
  const prebuilt = options.prebuilt?.[from];
  for (const path of copy.sources) {
    const host = source ? simulation.hostPath(source, path) : prebuiltPath(prebuilt, path, from, copy.line);
    if (!existsSync(host)) throw new Error(`line ${copy.line}: COPY --from=${from} ${path}: the stage has no such file`);
    const isDir = statSync(host).isDirectory();
    const dest = simulation.hostPath(target, isDir || !copy.destIsDir ? copy.dest : posix.join(copy.dest, posix.basename(path)));
    mkdirSync(isDir ? dest : dirname(dest), { recursive: true });
    // Symbolic links stay links, as in an image (node_modules/@etsr/platform → ../../libs/platform).
    // Hard links where the file system allows: a node_modules is 16,000 files, and nothing writes.
    const args = [isDir ? `${host}/.` : host, dest];
    const env = { PATH: process.env.PATH ?? '' };
    const linked = await run(['cp', '-a', '--link', ...args], simulation.dir, env);
    const copied = linked.code === 0 ? linked : await run(['cp', '-a', ...args], simulation.dir, env);
    if (copied.code !== 0) throw new Error(`line ${copy.line}: COPY --from=${from} ${path}: ${copied.output}`);
  }
}

function prebuiltPath(mapping: Record<string, string> | undefined, imagePath: string, from: string, line: number): string {
  if (!mapping) throw new Error(`line ${line}: COPY --from=${from}: no such stage`);
  for (const [prefix, host] of Object.entries(mapping)) {
    if (imagePath === prefix || imagePath.startsWith(`${prefix}/`)) return join(host, imagePath.slice(prefix.length));
  }
  throw new Error(`line ${line}: COPY --from=${from} ${imagePath}: outside ${Object.keys(mapping).join(', ')}`);
}

/**
 * Memory (tmpfs) when the machine has it: an image is tens of thousands of small files, and on a
 * disk their writing back and discarding takes longer than the build itself.
 */
function scratchDir(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

export function run(command: string[], cwd: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}
