// What processes cost, read from /proc (Linux; zeros elsewhere): CPU seconds, resident memory,
// and the processes of an embedded PostgreSQL. Shared by the benchmarks.
import fs from 'node:fs';

const USER_HZ = 100;

/** User + system CPU seconds of processes. Processes that exited are not counted. */
export function cpuSeconds(pids) {
  let total = 0;
  for (const pid of pids) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / USER_HZ;
    } catch {
      /* gone */
    }
  }
  return total;
}

/** VmHWM (peak resident set since the process started) and VmRSS in MB, or nulls. */
export function memoryMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
    const mb = (v) => (Number.isFinite(v) ? Math.round(v / 1024) : null);
    return { peakMb: mb(kb('VmHWM')), rssMb: mb(kb('VmRSS')) };
  } catch {
    return { peakMb: null, rssMb: null };
  }
}

/** Peak resident memory of a process, sampled every 100 ms; stop() gives it in MB. */
export function sampleRss(pid) {
  let peak = 0;
  const read = () => {
    const { rssMb } = memoryMb(pid);
    if (rssMb) peak = Math.max(peak, rssMb);
  };
  read();
  const timer = setInterval(read, 100);
  return { stop: () => (clearInterval(timer), read(), Math.round(peak)) };
}

/**
 * The processes of the PostgreSQL server whose data directory is `dataDir`: its postmaster (found
 * by its command line) and the postmaster's children (backends, checkpointer, …).
 */
export function postgresPids(dataDir) {
  const all = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const postmaster = all.find((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir);
    } catch {
      return false;
    }
  });
  if (!postmaster) return [];
  return [
    postmaster,
    ...all.filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1] === postmaster;
      } catch {
        return false;
      }
    }),
  ];
}

/** Connections the kernel dropped because a listening socket's accept queue was full (this network namespace, since boot). */
export function listenOverflows() {
  try {
    const lines = fs.readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const [names, values] = lines.map((l) => l.trim().split(/\s+/));
    const at = names.indexOf('ListenOverflows');
    return at > 0 ? Number(values[at]) : null;
  } catch {
    return null;
  }
}
