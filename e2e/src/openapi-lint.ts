import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './root';

/** One finding of `redocly lint`, named by the document's service. */
export interface LintProblem {
  service: string;
  severity: 'error' | 'warn';
  ruleId: string;
  /** JSON pointer into the document, e.g. #/paths/~1v1~1charge/post. */
  pointer: string;
  message: string;
}

const CLI = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
const CONFIG = join(ROOT, 'redocly.yaml');

interface JsonReport {
  problems: Array<{ ruleId: string; severity: 'error' | 'warn'; message: string; location: Array<{ pointer: string }> }>;
}

/**
 * Lints each document (service name → OpenAPI document) with the Redocly CLI, the repository's
 * redocly.yaml (the recommended rules) and nothing from the network, and returns every error and
 * warning. One CLI run a document: its JSON report covers one file.
 */
export async function lintOpenApi(documents: Record<string, unknown>): Promise<LintProblem[]> {
  const dir = mkdtempSync(join(tmpdir(), 'etsr-openapi-'));
  const problems: LintProblem[] = [];
  try {
    for (const [service, document] of Object.entries(documents)) {
      const file = join(dir, `${service}.json`);
      writeFileSync(file, JSON.stringify(document, null, 2));
      const report = await runLint(file);
      for (const p of report.problems) {
        problems.push({ service, severity: p.severity, ruleId: p.ruleId, pointer: p.location[0]?.pointer ?? '#', message: p.message });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

async function runLint(file: string): Promise<JsonReport> {
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
  // Exit code 1 means errors were found: the report on stdout says which.
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'lint', '--config', CONFIG, '--format=json', file], { env, maxBuffer: 16 * 1024 * 1024 }).catch(
    (err: { code?: number; stdout?: string; stderr?: string; message: string }) => {
      if (err.code === 1 && err.stdout) return { stdout: err.stdout };
      throw new Error(`redocly lint ${file} failed: ${err.stderr || err.message}`);
    },
  );
  return JSON.parse(stdout) as JsonReport;
}
