// A node:test reporter that prints, at the end of a run, how long each workspace's test files ran:
// "span", from its first file's start to its last file's end, and "files", the sum of its files'
// durations; then the slowest files. The runner adds it next to the spec reporter so that a slow
// workspace can be found without reading every test's duration.
import path from 'node:path';
import { formatMs, repoRoot } from './common.mjs';

const SLOWEST_SHOWN = 8;

export default async function* workspaceTimes(source) {
  const files = []; // { file, start, end, duration }
  for await (const event of source) {
    // A file's own test (named after the file) completes when its process ends. Tests inside a
    // file may be reported long after they ran (the runner holds back one file's output while
    // another's is shown), so only this event's time and duration are taken.
    if (event.type !== 'test:complete' || event.data.nesting !== 0 || !event.data.file) continue;
    if (path.resolve(event.data.name) !== path.resolve(event.data.file)) continue;
    const end = Date.now();
    const duration = event.data.details?.duration_ms ?? 0;
    files.push({ file: event.data.file, start: end - duration, end, duration });
  }
  if (files.length === 0) return;
  const workspaces = new Map(); // workspace → { start, end, duration, count }
  for (const f of files) {
    const name = workspaceOf(f.file);
    const w = workspaces.get(name) ?? { start: f.start, end: f.end, duration: 0, count: 0 };
    w.start = Math.min(w.start, f.start);
    w.end = Math.max(w.end, f.end);
    w.duration += f.duration;
    w.count += 1;
    workspaces.set(name, w);
  }
  const rows = [...workspaces].sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(...rows.map(([name]) => name.length));
  yield "\nTime per workspace (span: first file's start to last file's end; files: sum of its files' durations):\n";
  for (const [name, w] of rows) {
    const ms = (value) => formatMs(Math.round(value)).padStart(8);
    yield `  ${name.padEnd(width)}  span ${ms(w.end - w.start)}  files ${ms(w.duration)}  (${w.count} file${w.count === 1 ? '' : 's'})\n`;
  }
  yield 'Slowest files:\n';
  for (const f of [...files].sort((a, b) => b.duration - a.duration).slice(0, SLOWEST_SHOWN)) {
    yield `  ${formatMs(Math.round(f.duration)).padStart(8)}  ${path.relative(repoRoot, f.file)}\n`;
  }
}

/** libs/platform, services/order, e2e…: the directory above dist/. */
function workspaceOf(file) {
  const relative = path.relative(repoRoot, file).split(path.sep);
  const dist = relative.indexOf('dist');
  return dist > 0 ? relative.slice(0, dist).join('/') : relative[0];
}
