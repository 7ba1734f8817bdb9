/**
 * The Node.js release lines the images may be built on: the even (LTS) lines and the day each
 * stops receiving fixes, from the Node.js release schedule (nodejs.org/en/about/previous-releases).
 * A line missing here is not one to build on yet; a line past its date is one to move off.
 */
export const NODE_LTS_END_OF_LIFE: Readonly<Record<number, string>> = {
  20: '2026-04-30',
  22: '2027-04-30',
  24: '2028-04-30',
  26: '2029-04-30',
};

/** The major version of a `node` image tag: `26-bookworm-slim` → 26. */
export function nodeMajorOfTag(tag: string): number {
  const major = /^(\d+)(?:[.-]|$)/.exec(tag)?.[1];
  if (!major) throw new Error(`node image tag ${tag} names no major version`);
  return Number(major);
}
