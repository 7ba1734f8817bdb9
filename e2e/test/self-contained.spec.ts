import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../src/root';

/** Paths that climb out of the repository to a sibling folder, written either way. */
const OUTSIDE = [/\.\.[\\/]shared\b/, /'\.\.',\s*'shared'/];

describe('the repository stands alone', () => {
  it('no tracked file refers to a folder beside the repository', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f && !/\.(png|jpg|ico|woff2?)$/.test(f) && f !== 'package-lock.json');
    const found: string[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(join(ROOT, file), 'utf8');
      } catch {
        continue; // listed but deleted in this working tree
      }
      text.split('\n').forEach((line, i) => {
        if (OUTSIDE.some((p) => p.test(line))) found.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(found, []);
  });
});
