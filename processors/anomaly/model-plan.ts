/**
 * What the series models made with one config share: their statistical detectors (one object for
 * all the models, not one per model), where in a model's block each detector, calibration and the
 * model's own event times keep their numbers (block.ts), and the slabs the blocks come from. A
 * model without the forest is then one small object and its block.
 */
import { Arena, Layout } from './block.js';
import type { Detector } from './detector.js';
import { LIKELIHOOD_DOUBLES } from './likelihood.js';
import { GATE_DOUBLES } from './event-gate.js';
import { RobustZ } from './robust-z.js';
import { Seasonal } from './seasonal.js';
import type { DetectorName, ModelOptions } from './series-model.js';

/** The shared part of the models of one options object. */
export class ModelPlan {
  /** Detector i of the config, in its order; undefined at the isolation forest's place (a model owns its forest). */
  readonly detectors: ReadonlyArray<Detector | undefined>;
  /** Detector i's calibration: four doubles at f[fAt + calibrations + 4i] (likelihood.ts). */
  readonly calibrations: number;
  /** The model's event times, doubles (NaN: none yet): the last point's at f[fAt + times], the last event's at +1, the event load at +2. */
  readonly times: number;
  /** Where the models' blocks come from. */
  readonly arena: Arena;

  /** `o`: the options the models are made with. */
  private constructor(readonly o: ModelOptions) {
    const wide = (o.detectors.includes('robust_z') && RobustZ.wide(o.robustZ)) || (o.detectors.includes('seasonal') && Seasonal.wide(o.seasonal));
    const layout = new Layout(wide);
    this.detectors = o.detectors.map((name: DetectorName) => {
      switch (name) {
        case 'robust_z': return new RobustZ(o.robustZ, layout);
        case 'seasonal': return new Seasonal(o.seasonal, layout);
        case 'isolation_forest': return undefined;
      }
    });
    this.calibrations = layout.takeF(LIKELIHOOD_DOUBLES * o.detectors.length);
    this.times = layout.takeF(GATE_DOUBLES);
    this.arena = new Arena(layout);
  }

  /** The plan of the models made with `o` (a processor partition's: its models live and go with it). */
  static of(o: ModelOptions): ModelPlan {
    let plan = plans.get(o);
    if (!plan) {
      plan = new ModelPlan(o);
      plans.set(o, plan);
    }
    return plan;
  }
}

const plans = new WeakMap<ModelOptions, ModelPlan>();
