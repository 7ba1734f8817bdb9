/** A curl command of a README walkthrough, with the answers it may get. */
export interface CurlExample {
  expect: number[];
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The `<!-- expect: 201 -->` + ```bash curl blocks of one section of a markdown document (from
 * its heading to the next `## `), so a test can send exactly what the README tells people to send.
 */
export function curlExamples(markdown: string, heading: string, vars: Record<string, string> = {}): CurlExample[] {
  const section = markdown.split(heading)[1]?.split('\n## ')[0];
  if (section === undefined) throw new Error(`no section "${heading}"`);
  const examples: CurlExample[] = [];
  for (const m of section.matchAll(/<!-- expect: ([\d ]+) -->\s*```bash\n([\s\S]*?)```/g)) {
    examples.push({ expect: m[1].trim().split(/\s+/).map(Number), ...parseCurl(m[2], vars) });
  }
  return examples;
}

/** Enough of curl's command line for the READMEs' examples: -X, -H, -d, -s and a URL. */
export function parseCurl(command: string, vars: Record<string, string> = {}): Omit<CurlExample, 'expect'> {
  const words = shellWords(command.replace(/\\\n/g, ' '), vars);
  if (words.shift() !== 'curl') throw new Error(`not a curl command: ${command}`);
  const out: Omit<CurlExample, 'expect'> = { method: 'GET', url: '', headers: {} };
  while (words.length) {
    const word = words.shift()!;
    if (word === '-X') out.method = words.shift()!;
    else if (word === '-H') {
      const [name, ...value] = words.shift()!.split(':');
      out.headers[name.trim().toLowerCase()] = value.join(':').trim();
    } else if (word === '-d' || word === '--data') {
      out.body = words.shift()!;
      if (out.method === 'GET') out.method = 'POST';
    } else if (word === '-s') continue;
    else out.url = word;
  }
  // What curl itself sends for -d without a Content-Type header.
  if (out.body !== undefined && !out.headers['content-type']) out.headers['content-type'] = 'application/x-www-form-urlencoded';
  return out;
}

/**
 * Splits a command line as a POSIX shell would, enough for README examples: single quotes keep
 * everything, double quotes and bare words expand $NAME from `vars` (an unknown name stays as
 * written), and quoted pieces that touch form one word (`'{"id": "'"$ID"'"}'`).
 */
function shellWords(text: string, vars: Record<string, string>): string[] {
  const words: string[] = [];
  let word: string | undefined;
  const expand = (s: string) => s.replace(/\$([A-Z_][A-Z0-9_]*)/g, (whole, name: string) => vars[name] ?? whole);
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word = (word ?? '') + text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let part = '';
      while (text[j] !== '"') part += text[j] === '\\' ? text[++j] : text[j], j++;
      word = (word ?? '') + expand(part);
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s'"]/.test(text[j])) j++;
      word = (word ?? '') + expand(text.slice(i, j));
      i = j;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Replaces $NAME in a URL, header or body text, as the shell would for the README's variables. */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$([A-Z_][A-Z0-9_]*)/g, (whole, name: string) => vars[name] ?? whole);
}
