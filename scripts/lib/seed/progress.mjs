// A progress bar for long tables on a terminal; plain lines (one per quarter) otherwise.
export function progress(label, total, out = process.stdout) {
  const tty = Boolean(out.isTTY);
  let done = 0;
  let lastQuarter = 0;
  const draw = () => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    out.write(`\r  ${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`);
  };
  return {
    advance(n) {
      done += n;
      if (tty) return draw();
      const quarter = total ? Math.floor((done / total) * 4) : 4;
      if (quarter > lastQuarter) {
        lastQuarter = quarter;
        out.write(`  ${label}: ${done}/${total}\n`);
      }
    },
    end() {
      if (tty) out.write('\n');
    },
  };
}
