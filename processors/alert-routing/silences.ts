/**
 * Silences as Alertmanager's v2 API knows them: matchers, startsAt, endsAt, createdBy, comment.
 * They live in the service's state store, one map (a Redis hash with Redis state) under the
 * processor's namespace, so a restart keeps them and every daemon of a gateway sees the same ones.
 * Times are wall-clock: a silence mutes notifications sent now, whatever the alert's event time.
 */
import { randomUUID } from 'node:crypto';
import type { StateStore } from '../../pipeline/state/state-store.js';
import { makeMatcher, matchAll, MatcherError, type Labels, type Matcher } from './matchers.js';

/** The state-store map holding every silence: id → the silence as JSON. */
const SILENCES_KEY = 'silences';

/** A silence matcher in the API's form. */
export interface ApiMatcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex: boolean;
  /** false for `!=` / `!~`; Alertmanager's default is true. */
  readonly isEqual?: boolean;
}

/** What a client posts (Alertmanager's PostableSilence). */
export interface PostableSilence {
  readonly id?: string;
  readonly matchers: readonly ApiMatcher[];
  readonly startsAt: string;
  readonly endsAt: string;
  readonly createdBy: string;
  readonly comment: string;
}

/** A stored silence (Alertmanager's GettableSilence without the computed status). */
export interface Silence extends PostableSilence {
  readonly id: string;
  readonly updatedAt: string;
}

/** pending before startsAt, active until endsAt, expired after. */
export type SilenceState = 'pending' | 'active' | 'expired';

/** A request the API must refuse: 400 (invalid) or 404 (no such silence). */
export class SilenceError extends Error {
  override readonly name = 'SilenceError';
  constructor(readonly status: 400 | 404, message: string) {
    super(message);
  }
}

/** The state of a silence at `nowMs`. */
export function stateOf(s: Silence, nowMs: number): SilenceState {
  if (nowMs >= Date.parse(s.endsAt)) return 'expired';
  return nowMs < Date.parse(s.startsAt) ? 'pending' : 'active';
}

/** The API matcher as a Matcher; throws a SilenceError (400) when unusable. */
export function toMatcher(m: ApiMatcher): Matcher {
  const equal = m.isEqual ?? true;
  try {
    return makeMatcher(m.name, m.isRegex ? (equal ? '=~' : '!~') : (equal ? '=' : '!='), m.value);
  } catch (err) {
    if (err instanceof MatcherError) throw new SilenceError(400, err.message);
    throw err;
  }
}

/** The silences of one processor, in the state store. */
export class SilenceBook {
  constructor(private readonly store: StateStore, private readonly retentionMs: number, private readonly now: () => number = Date.now) {}

  /** Every silence not yet past its retention, oldest first; the others are forgotten on the way. */
  async list(): Promise<Silence[]> {
    const stored = await this.store.fields(SILENCES_KEY);
    const out: Silence[] = [];
    const forget: string[] = [];
    for (const [id, bytes] of stored) {
      const s = JSON.parse(Buffer.from(bytes).toString('utf8')) as Silence;
      if (Date.parse(s.endsAt) + this.retentionMs <= this.now()) forget.push(id);
      else out.push(s);
    }
    if (forget.length > 0) await this.store.batch(forget.map((field) => ({ op: 'delete_field' as const, key: SILENCES_KEY, field })));
    return out.sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt));
  }

  /** One silence; a SilenceError (404) when unknown. */
  async get(id: string): Promise<Silence> {
    const found = (await this.list()).find((s) => s.id === id);
    if (!found) throw new SilenceError(404, `silence ${id} not found`);
    return found;
  }

  /**
   * Creates a silence, or updates the one named by `id`. As in Alertmanager, a silence that is still
   * running with the same matchers is updated in place; otherwise the old one is expired and a new
   * id is returned.
   */
  async upsert(input: PostableSilence): Promise<string> {
    validate(input, this.now());
    const nowIso = new Date(this.now()).toISOString();
    const fresh = (): Silence => ({ ...fields(input), id: randomUUID(), updatedAt: nowIso });
    if (!input.id) return this.save(fresh());
    const old = await this.get(input.id);
    if (stateOf(old, this.now()) !== 'expired' && sameMatchers(old, input)) return this.save({ ...fields(input), id: old.id, updatedAt: nowIso });
    if (stateOf(old, this.now()) !== 'expired') await this.expire(old.id);
    return this.save(fresh());
  }

  /** Expires a silence now (a pending one never starts). Expiring an expired silence changes nothing. */
  async expire(id: string): Promise<void> {
    const s = await this.get(id);
    const state = stateOf(s, this.now());
    if (state === 'expired') return;
    const nowIso = new Date(this.now()).toISOString();
    await this.save({ ...s, ...(state === 'pending' ? { startsAt: nowIso } : {}), endsAt: nowIso, updatedAt: nowIso });
  }

  /** The ids of the active silences that match these labels. */
  async silencing(labels: Labels): Promise<string[]> {
    const now = this.now();
    return (await this.list()).filter((s) => stateOf(s, now) === 'active' && matchAll(s.matchers.map(toMatcher), labels)).map((s) => s.id);
  }

  private async save(s: Silence): Promise<string> {
    await this.store.batch([{ op: 'set_field', key: SILENCES_KEY, field: s.id, value: JSON.stringify(s) }]);
    return s.id;
  }
}

/** Only the posted fields, normalised (isEqual made explicit). */
function fields(p: PostableSilence): PostableSilence {
  return {
    matchers: p.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual ?? true })),
    startsAt: new Date(Date.parse(p.startsAt)).toISOString(),
    endsAt: new Date(Date.parse(p.endsAt)).toISOString(),
    createdBy: p.createdBy,
    comment: p.comment,
  };
}

function sameMatchers(a: PostableSilence, b: PostableSilence): boolean {
  const key = (p: PostableSilence): string => JSON.stringify(fields(p).matchers.map((m) => [m.name, m.value, m.isRegex, m.isEqual]).sort());
  return key(a) === key(b);
}

/** Alertmanager's checks of a posted silence. */
function validate(p: PostableSilence, nowMs: number): void {
  if (p.matchers.length === 0) throw new SilenceError(400, 'at least one matcher is required');
  const matchers = p.matchers.map(toMatcher);
  // A silence whose every matcher matches the empty string would mute every alert.
  if (matchers.every((m) => matchAll([m], {}))) throw new SilenceError(400, 'at least one matcher must not match the empty string');
  const starts = Date.parse(p.startsAt);
  const ends = Date.parse(p.endsAt);
  if (Number.isNaN(starts)) throw new SilenceError(400, `startsAt must be an RFC 3339 time, got ${JSON.stringify(p.startsAt)}`);
  if (Number.isNaN(ends)) throw new SilenceError(400, `endsAt must be an RFC 3339 time, got ${JSON.stringify(p.endsAt)}`);
  if (ends < starts) throw new SilenceError(400, 'endsAt must not be before startsAt');
  if (ends <= nowMs) throw new SilenceError(400, 'endsAt is in the past: the silence would already be expired');
  if (p.createdBy.trim() === '') throw new SilenceError(400, 'createdBy is required');
  if (p.comment.trim() === '') throw new SilenceError(400, 'comment is required');
}
