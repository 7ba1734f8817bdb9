import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../root';

/**
 * The commands README.md shows for a tool, as argument lists: every line of a fenced code block
 * and every inline code span that starts with `prefix` (`kubectl`, `docker-compose`), comments
 * after `#` dropped.
 */
export function readmeCommands(prefix: string, readme = readFileSync(join(ROOT, 'README.md'), 'utf8')): string[][] {
  const blocks: string[] = [];
  const prose = readme.replace(/^```[^\n]*\n([\s\S]*?)^```/gm, (_, body: string) => {
    blocks.push(...body.split('\n'));
    return '';
  });
  const spans = [...prose.matchAll(/`([^`]+)`/g)].map((m) => m[1].replace(/\s+/g, ' '));
  return [...blocks.map((line) => line.replace(/\s#.*$/, '')), ...spans]
    .map((line) => line.trim())
    .filter((line) => line === prefix || line.startsWith(`${prefix} `))
    .map((line) => line.split(/\s+/).slice(prefix.split(' ').length));
}

/** The arguments of a command that are neither flags nor the values of `valued` flags. */
export function operands(args: string[], valued: string[] = []): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (valued.includes(args[i])) i++;
    else if (!args[i].startsWith('-')) out.push(args[i]);
  }
  return out;
}
