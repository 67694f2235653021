/**
 * The acknowledgement record (docs/alerts-contract.md, "Acknowledgements"): one
 * `vigil.alert.acknowledged` log record, written by the alert_routing processor when a silence
 * starts muting an alert whose firing was already notified (a person took it in hand). It carries
 * the firing's alert attributes and receivers. A separate event name, so exporters that have no
 * notion of an acknowledgement (and `readAlerts`) skip it; a sink with `acknowledge` sends it.
 */
import { forEachLogRecord, LogsBuilder, type AttributesInput } from '../../pdata/index.js';
import type { Payload } from '../../pdata/payload.js';
import { ATTR, readAlertAttributes, type Alert } from './alert.js';
import { ALERT_SCOPE } from './alert-builder.js';
import { alertAttributes } from './group.js';

/** The event name of an acknowledgement record. */
export const ACK_EVENT_NAME = 'vigil.alert.acknowledged';

/** Attribute keys of an acknowledgement (besides the alert's keys and `vigil.alert.receivers`). */
export const ACK_ATTR = {
  /** The ids of the silences that acknowledged it. */
  by: 'vigil.alert.acknowledged_by',
  /** The silences' `createdBy`. */
  byUser: 'vigil.alert.acknowledged_by_user',
} as const;

/** One acknowledgement of a notified firing, as the exporters see it. */
export interface Acknowledgement {
  /** The firing that was notified (state `firing`), with the receivers its firing went to. */
  readonly alert: Alert;
  readonly silenceIds: readonly string[];
  readonly createdBy: string;
}

/** The payload of one acknowledgement (one record, under vigil's resource). */
export function buildAck(ack: Acknowledgement, nowMs: number): Payload | null {
  const b = new LogsBuilder();
  const attributes: AttributesInput = {
    ...alertAttributes(ack.alert),
    [ATTR.receivers]: [...(ack.alert.receivers ?? [])],
    [ACK_ATTR.by]: [...ack.silenceIds],
    [ACK_ATTR.byUser]: ack.createdBy,
  };
  b.scope({ 'service.name': 'vigil' }, ALERT_SCOPE).add({
    eventName: ACK_EVENT_NAME,
    timeUnixNano: BigInt(nowMs) * 1_000_000n,
    severityNumber: 9,
    severityText: 'INFO',
    body: `${ack.alert.alertname} acknowledged by ${ack.createdBy}`,
    attributes,
  });
  return b.build();
}

/** Every acknowledgement record of a payload, and the invalid ones with the reason. */
export function readAcks(payload: Payload): { acks: Acknowledgement[]; invalid: Array<{ index: number; reason: string }> } {
  const out = { acks: [] as Acknowledgement[], invalid: [] as Array<{ index: number; reason: string }> };
  let index = 0;
  forEachLogRecord(payload, (r) => {
    if (r.eventName === ACK_EVENT_NAME) {
      const alert = readAlertAttributes(r.attributes, r.timeUnixNano);
      const by = r.attributes[ACK_ATTR.by];
      const user = r.attributes[ACK_ATTR.byUser];
      if (typeof alert === 'string') out.invalid.push({ index, reason: alert });
      else if (alert.state !== 'firing') out.invalid.push({ index, reason: 'an acknowledgement carries its firing (state "firing")' });
      else {
        out.acks.push({
          alert, createdBy: typeof user === 'string' ? user : '',
          silenceIds: Array.isArray(by) ? by.filter((x): x is string => typeof x === 'string') : [],
        });
      }
    }
    index++;
  });
  return out;
}
