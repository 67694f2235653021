import { pino } from 'pino';
import t from 'tap';
import { fanOutHooks } from './partition-hooks.js';

t.test('calls every listener in order with its own this; a failing one is logged and skipped', async (t) => {
  const calls: string[] = [];
  const logged: unknown[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) });
  const stateful = {
    label: 'tail_sampling',
    async assigned(this: { label: string }, partitions: number[]): Promise<void> {
      calls.push(`${this.label} assigned ${partitions.join(',')}`);
    },
  };
  const hooks = fanOutHooks([
    { name: 'broken', hooks: { assigned: async () => Promise.reject(new Error('no state')) } },
    { name: 'stateless', hooks: {} },
    { name: 'tail', hooks: stateful },
    { name: 'ownership', hooks: { assigned: async (p) => void calls.push(`ownership ${p.join(',')}`), revoked: async (p) => void calls.push(`revoked ${p.join(',')}`) } },
  ], logger);
  await hooks.assigned!([0, 2]);
  await hooks.revoked!([2], { redelivered: true });
  t.same(calls, ['tail_sampling assigned 0,2', 'ownership 0,2', 'revoked 2']);
  t.match(logged, [{ listener: 'broken', partitions: [0, 2], err: 'no state', msg: 'partition assigned hook failed' }]);
});
