// A node:test reporter that prints, at the end of a run, how long each workspace's test files ran:
// from its first file's first event to its last file's last event ("span"), and the sum of its
// files' own spans ("files"). The runner adds it next to the spec reporter so that a slow
// workspace can be found without reading every test's duration.
import path from 'node:path';
import { formatMs, repoRoot } from './common.mjs';

export default async function* workspaceTimes(source) {
  const files = new Map(); // file → { first, last }
  for await (const event of source) {
    const file = event.data?.file;
    // Every file is enqueued when the run starts; it begins when dequeued.
    if (!file || event.type === 'test:enqueue') continue;
    const now = Date.now();
    const seen = files.get(file);
    if (seen) seen.last = now;
    else files.set(file, { first: now, last: now });
  }
  const workspaces = new Map(); // workspace → { first, last, files, count }
  for (const [file, { first, last }] of files) {
    const workspace = workspaceOf(file);
    const w = workspaces.get(workspace) ?? { first, last, files: 0, count: 0 };
    w.first = Math.min(w.first, first);
    w.last = Math.max(w.last, last);
    w.files += last - first;
    w.count += 1;
    workspaces.set(workspace, w);
  }
  if (workspaces.size === 0) return;
  const rows = [...workspaces].sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(...rows.map(([name]) => name.length));
  yield '\nTime per workspace (span: first to last event; files: sum of each file\'s span):\n';
  for (const [name, w] of rows) {
    yield `  ${name.padEnd(width)}  span ${formatMs(w.last - w.first).padStart(8)}  files ${formatMs(w.files).padStart(8)}  (${w.count} file${w.count === 1 ? '' : 's'})\n`;
  }
}

/** libs/platform, services/order, e2e…: the directory above dist/. */
function workspaceOf(file) {
  const relative = path.relative(repoRoot, file).split(path.sep);
  const dist = relative.indexOf('dist');
  return dist > 0 ? relative.slice(0, dist).join('/') : relative[0];
}
