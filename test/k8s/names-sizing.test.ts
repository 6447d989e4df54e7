// Job names, label values, source facts and sizing: pure helpers the Job builder relies on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kubernetesExecutorSchema } from '../../src/k8s/executor-config.ts';
import { labelValue, workerJobName } from '../../src/k8s/names.ts';
import { installOptionsSchema } from '../../src/k8s/install/options.ts';
import { isDnsLabel, isDnsSubdomain, isLabelKey, isLabelValue } from '../../src/k8s/syntax.ts';
import { bytesQuantity, sizeJob } from '../../src/k8s/sizing.ts';
import { parseDurationSeconds } from '../../src/ingest/go-duration.ts';

describe('worker Job names', () => {
  it('are deterministic DNS labels of at most 63 characters', () => {
    const uuid = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
    assert.equal(workerJobName(uuid, 1), `live2vod-${uuid}-a1`);
    assert.equal(workerJobName(uuid, 1), workerJobName(uuid, 1));
    assert.notEqual(workerJobName(uuid, 1), workerJobName(uuid, 2));
    for (const id of [uuid, 'Job_With.Odd Chars!', 'x'.repeat(200), '-leading-', 'UPPER', '日本語']) {
      for (const attempt of [1, 20, 999]) {
        const name = workerJobName(id, attempt);
        assert.ok(isDnsLabel(name), `${name} is a DNS label`);
        assert.ok(name.length <= 63);
      }
    }
  });

  it('never give two job ids the same name', () => {
    assert.notEqual(workerJobName('a.b', 1), workerJobName('a-b', 1));
    assert.notEqual(workerJobName('A', 1), workerJobName('a', 1));
    assert.notEqual(workerJobName(`${'x'.repeat(100)}1`, 1), workerJobName(`${'x'.repeat(100)}2`, 1));
    assert.throws(() => workerJobName('a', 0), /positive integer/);
  });

  it('label values stand for their value, shortened with a hash when needed', () => {
    assert.equal(labelValue('0190a1b2-c3d4'), '0190a1b2-c3d4');
    const long = labelValue('y'.repeat(80));
    assert.ok(long.length <= 63 && /^[a-z0-9]/.test(long));
    assert.notEqual(labelValue('y'.repeat(80)), labelValue(`${'y'.repeat(79)}z`));
  });
});

describe('Kubernetes name syntax (one definition for config, install options and validation)', () => {
  it('tells DNS labels, subdomains and label keys and values apart', () => {
    assert.ok(isDnsSubdomain('a.b-c') && !isDnsSubdomain('a..b') && !isDnsSubdomain('a.') && !isDnsSubdomain(`${'a'.repeat(254)}`));
    assert.ok(isDnsLabel('live2vod') && !isDnsLabel('a.b') && !isDnsLabel('A') && !isDnsLabel('a'.repeat(64)));
    assert.ok(isLabelKey('karpenter.sh/capacity-type') && isLabelKey('app') && !isLabelKey('a..b/x') && !isLabelKey(`${'a'.repeat(254)}/x`));
    assert.ok(isLabelValue('') && isLabelValue('Spot_1.x') && !isLabelValue('-x') && !isLabelValue('x'.repeat(64)));
  });

  it('are what the install options check (a Secret name like a..b is refused)', () => {
    assert.throws(() => installOptionsSchema.parse({ storageSecret: 'a..b' }), /DNS-1123 subdomain/);
    assert.equal(installOptionsSchema.parse({ storageSecret: 'aws.creds' }).storageSecret, 'aws.creds');
  });
});

describe('MediaMTX durations', () => {
  it('reads plain seconds and Go durations', () => {
    assert.equal(parseDurationSeconds('1h0m30s'), 3630);
    assert.equal(parseDurationSeconds('3600.5'), 3600.5);
    assert.equal(parseDurationSeconds('long'), undefined);
    assert.equal(parseDurationSeconds('90s'), 90);
    assert.equal(parseDurationSeconds('2m'), 120);
    assert.equal(parseDurationSeconds(''), undefined);
  });
});

describe('Job sizing', () => {
  const config = kubernetesExecutorSchema.parse({ kind: 'kubernetes', image: 'x' });
  it('errs long and large for what it does not know', () => {
    const unknown = sizeJob({}, config);
    assert.equal(unknown.durationSeconds, 4 * 3600);
    assert.equal(unknown.sourceBytes, Math.round((4 * 3600 * 12e6) / 8), 'a high bitrate for scratch');
    const known = sizeJob({ durationSeconds: 3600, bytes: 2.7e9 }, config);
    assert.deepEqual([known.activeDeadlineSeconds, known.scratchBytes], [7800, Math.ceil(2.7e9 * 4 + 2 * 1024 ** 3)]);
  });

  it('formats byte counts as whole Gi or Mi quantities, rounded up', () => {
    assert.equal(bytesQuantity(1024 ** 3), '1Gi');
    assert.equal(bytesQuantity(1024 ** 3 + 1), '2Gi');
    assert.equal(bytesQuantity(300 * 1024 ** 2), '300Mi');
  });

  it('refuses bounds that contradict each other', () => {
    assert.throws(() => kubernetesExecutorSchema.parse({ kind: 'kubernetes', image: 'x', deadline: { minSeconds: 100, maxSeconds: 90 } }), /minSeconds must not exceed/);
  });
});
