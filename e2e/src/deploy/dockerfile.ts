import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { DockerfileParser, From, Healthcheck, Instruction, JSONInstruction, PropertyInstruction } from 'dockerfile-ast';

/** One instruction with the WORKDIR it runs in, as the builder sees it. */
export interface Step {
  keyword: string;
  /** Arguments without the flags; continuation lines joined. */
  args: string[];
  /** The text after the keyword and its flags (a RUN's command line). */
  content: string;
  /** --from=build → { from: 'build' } */
  flags: Record<string, string>;
  /** The exec form (["node", "x.js"]) when the instruction is written that way. */
  exec?: string[];
  /** ENV properties. */
  properties?: Record<string, string>;
  workdir: string;
  line: number;
}

export interface Stage {
  index: number;
  /** The AS name, if any. */
  name?: string;
  /** FROM's image (or an earlier stage's name). */
  image: string;
  imageName: string;
  imageTag: string | null;
  steps: Step[];
}

export interface Dockerfile {
  path: string;
  text: string;
  stages: Stage[];
}

/** A COPY of the build context (no --from) or of an earlier stage's files. */
export interface CopyStep {
  from?: string;
  sources: string[];
  /** Absolute path in the image. */
  dest: string;
  /** A directory destination: sources go inside it. */
  destIsDir: boolean;
  line: number;
}

export function readDockerfile(path: string): Dockerfile {
  return parseDockerfile(path, readFileSync(path, 'utf8'));
}

export function parseDockerfile(path: string, text: string): Dockerfile {
  const parsed = DockerfileParser.parse(text);
  const stages: Stage[] = [];
  let workdir = '/';
  for (const instruction of parsed.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const from = instruction as From;
      stages.push({
        index: stages.length,
        name: from.getBuildStage() ?? undefined,
        image: from.getImage() ?? '',
        imageName: from.getImageName() ?? '',
        imageTag: from.getImageTag(),
        steps: [],
      });
      // A stage starts in its base image's WORKDIR; node images and earlier stages here use /.
      const base = stages.find((s) => s.name && s.name === from.getImage());
      workdir = base ? lastWorkdir(base) : '/';
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${path}: ${keyword} before the first FROM`);
    const step = toStep(instruction, workdir);
    if (keyword === 'WORKDIR') workdir = posix.resolve(workdir, step.args[0]);
    step.workdir = workdir;
    stage.steps.push(step);
  }
  return { path, text, stages };
}

function toStep(instruction: Instruction, workdir: string): Step {
  const keyword = instruction.getKeyword();
  const flags: Record<string, string> = {};
  const withFlags = instruction as unknown as { getFlags?: () => { getName(): string; getValue(): string | null }[] };
  for (const flag of withFlags.getFlags?.() ?? []) flags[flag.getName()] = flag.getValue() ?? '';
  const step: Step = {
    keyword,
    args: instruction.getArguments().map((a) => a.getValue()),
    content: instruction.getArgumentsContent() ?? '',
    flags,
    workdir,
    line: instruction.getRange().start.line + 1,
  };
  if (instruction instanceof JSONInstruction && instruction.getJSONStrings().length > 0) {
    step.exec = instruction.getJSONStrings().map((s) => s.getJSONValue());
  }
  if (instruction instanceof PropertyInstruction && keyword === 'ENV') {
    step.properties = Object.fromEntries(instruction.getProperties().map((p) => [p.getName(), p.getValue() ?? '']));
  }
  if (instruction instanceof Healthcheck) {
    step.content = instruction.getArgumentsContent() ?? '';
  }
  return step;
}

function lastWorkdir(stage: Stage): string {
  return stage.steps.at(-1)?.workdir ?? '/';
}

export function finalStage(dockerfile: Dockerfile): Stage {
  const stage = dockerfile.stages.at(-1);
  if (!stage) throw new Error(`${dockerfile.path} has no FROM`);
  return stage;
}

export function stageNamed(dockerfile: Dockerfile, name: string): Stage | undefined {
  return dockerfile.stages.find((s) => s.name === name || String(s.index) === name);
}

/** The last instruction with this keyword in the stage (USER, CMD and HEALTHCHECK: the one in effect). */
export function lastStep(stage: Stage, keyword: string): Step | undefined {
  return stage.steps.filter((s) => s.keyword === keyword).at(-1);
}

/** ENV of a stage as it stands at its end. */
export function stageEnv(stage: Stage): Record<string, string> {
  return Object.assign({}, ...stage.steps.filter((s) => s.keyword === 'ENV').map((s) => s.properties ?? {}));
}

/** The stage's COPY instructions with their destinations made absolute. */
export function copySteps(stage: Stage): CopyStep[] {
  return stage.steps
    .filter((s) => s.keyword === 'COPY' || s.keyword === 'ADD')
    .map((s) => {
      const paths = s.exec ?? s.args;
      const sources = paths.slice(0, -1);
      const target = paths.at(-1)!;
      return {
        from: s.flags.from,
        sources,
        dest: posix.resolve(s.workdir, target),
        destIsDir: target.endsWith('/') || target === '.' || sources.length > 1,
        line: s.line,
      };
    });
}

/** The HEALTHCHECK's command (shell form) and options, or undefined when there is none or it is NONE. */
export function healthcheck(stage: Stage): { command: string; options: Record<string, string> } | undefined {
  const step = lastStep(stage, 'HEALTHCHECK');
  if (!step || step.args[0]?.toUpperCase() === 'NONE') return undefined;
  const command = step.content.replace(/^\s*CMD\s+/i, '');
  return { command, options: step.flags };
}
