import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Launcher, startLauncher } from '../src/launcher';

/** `npm start` itself (scripts/start.mjs), all six services on the test server's databases. */
describe('npm start supervises its services', () => {
  let launcher: Launcher;
  before(async () => {
    launcher = await startLauncher();
    await launcher.waitFor(/Press Ctrl-C to stop\./);
  });
  after(async () => {
    await launcher?.stop();
  });

  it('a service killed with SIGKILL is restarted after a back-off, says so, and answers healthy again', async () => {
    const pid = launcher.servicePid('payment');
    assert.ok(pid, 'the payment process');
    process.kill(pid, 'SIGKILL');
    await launcher.waitFor(/payment stopped unexpectedly \(killed by SIGKILL\); restarting it in 1 s \(crash 1 of 5 allowed within 5 min\)\./);
    await launcher.waitFor(/payment is back: healthy again .* after its restart\./);
    const health = await fetch(`${launcher.urls.payment}/health`);
    assert.equal(health.status, 200);
    const again = launcher.servicePid('payment');
    assert.ok(again && again !== pid, 'a new payment process');
  });

  it('Ctrl-C stops everything cleanly, with no restart during the shutdown', async () => {
    const before = launcher.output().length;
    launcher.process.kill('SIGINT');
    assert.equal(await launcher.exited, 0);
    const shutdown = launcher.output().slice(before);
    assert.match(shutdown, /SIGINT received, stopping/);
    assert.match(shutdown, /Stopped\./);
    assert.doesNotMatch(shutdown, /restarting|stopped unexpectedly/);
    for (const name of Object.keys(launcher.urls)) assert.equal(launcher.servicePid(name), undefined, `${name} still running`);
  });
});
