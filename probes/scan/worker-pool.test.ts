import { describe, expect, it } from 'vitest';
import { WorkerPool } from './worker-pool';
import { matchSource, type MatchRule } from './match-file';

const evalRule: MatchRule = { id: 'no-eval', matcher: { rule: { pattern: 'eval($$$A)' } }, maskStrings: false };

describe('worker pool', () => {
  it('parses in workers exactly as in this thread', async () => {
    const pool = new WorkerPool(2, [evalRule]);
    try {
      const texts = Array.from({ length: 20 }, (_, i) => `const a${i} = 1;\n${i % 3 === 0 ? `eval(code${i});` : ''}`);
      const results = await Promise.all(texts.map((text, id) => pool.submit({ id, lang: 'JavaScript', text, rules: ['no-eval'] })));
      expect(results.map((r) => r.findings)).toEqual(texts.map((t) => matchSource('JavaScript', t, [evalRule])));
      expect(results.filter((r) => (r.findings?.length ?? 0) > 0)).toHaveLength(7);
    } finally {
      await pool.close();
    }
  });

  it('fails only the jobs of a worker that dies, and reports them as worker failures', async () => {
    const pool = new WorkerPool(1, [evalRule]);
    const pending = pool.submit({ id: 1, lang: 'JavaScript', text: 'eval(x)', rules: ['no-eval'] });
    // Kill the only worker while it holds the job.
    await (pool as unknown as { workers: Array<{ worker: { terminate(): Promise<number> } }> }).workers[0].worker.terminate();
    const result = await pending;
    expect(result.findings).toBeUndefined();
    expect(result.error).toMatch(/^scan worker failed/);
    const later = await pool.submit({ id: 2, lang: 'JavaScript', text: 'eval(y)', rules: ['no-eval'] });
    expect(later.error).toMatch(/^scan worker failed: no live worker/);
    await pool.close();
  });

  it('lets the owner steal queued jobs nobody started', async () => {
    const pool = new WorkerPool(1, [evalRule]);
    try {
      const promises = Array.from({ length: 30 }, (_, id) => pool.submit({ id, lang: 'JavaScript', text: `eval(v${id})`, rules: ['no-eval'] }));
      let stolen = 0;
      for (let s = pool.steal(); s; s = pool.steal()) {
        s.done({ id: s.job.id, findings: matchSource(s.job.lang, s.job.text, [evalRule]) });
        stolen++;
      }
      const results = await Promise.all(promises);
      expect(stolen).toBeGreaterThan(0);
      expect(results.every((r) => r.findings?.length === 1)).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
