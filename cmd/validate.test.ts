/**
 * `checkConfig` (what `vigil validate` and `run` do before starting): a config whose keys all
 * validate but whose component a factory refuses to build is an error at that component's key.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { z } from 'zod';
import type { Exporter, ExporterFactory, Factory } from '../pipeline/component.js';
import { FACTORIES } from './components.js';
import { checkConfig } from './validate.js';

const FILE = fileURLToPath(new URL('../../cmd/testdata/refused-at-build.yaml', import.meta.url));

const pickySchema = z.strictObject({ mode: z.string().default('possible') });
let built = 0;
let shutDown = 0;
let started = 0;

/** An exporter whose factory throws for a value its schema lets through, as a factory may for a setting it checks late. */
const picky: ExporterFactory<z.infer<typeof pickySchema>> = {
  type: 'picky',
  kind: 'exporter',
  stability: { traces: 'development', logs: 'development' },
  configSchema: pickySchema,
  createDefaultConfig: () => pickySchema.parse({}),
  create: (_settings, config): Exporter => {
    if (config.mode === 'impossible') throw new Error('mode "impossible" cannot be built');
    built++;
    return {
      start: async () => { started++; },
      shutdown: async () => { shutDown++; },
      consume: async () => {},
    };
  },
};

const factories: Factory[] = [...FACTORIES, picky];

t.test("a factory's refusal is a config error at the component's key, reported once, and nothing starts", async (t) => {
  const r = await checkConfig({ files: [FILE], sets: [], factories, env: {} });
  t.notOk(r.config);
  t.same(r.errors.map(String), [`${FILE}:9:3 exporters::picky: mode "impossible" cannot be built`]);
  t.equal(built, 1, 'the other components were built too');
  t.equal(shutDown, 1, 'and let go of');
  t.equal(started, 0, 'nothing was started');
});

t.test('a config every factory builds is returned as loaded', async (t) => {
  const r = await checkConfig({ files: [FILE], sets: ['exporters.picky.mode=possible'], factories, env: {} });
  t.same(r.errors, []);
  t.same(r.config!.exporters.get('picky')!.config, { mode: 'possible' });
});
