/** What the notification exporters share: the alert contract (reader and builder) and the delivery logic. */
export {
  ALERT_EVENT_NAME, ALERT_SCHEMA_VERSION, ATTR, notificationKey, readAlert, readAlertAttributes, readAlerts, severityOf,
  type Alert, type AlertState, type ReadResult, type Severity,
} from './alert.js';
export { ALERT_SCOPE, addAlerts, alertRecord, buildAlerts, type AlertInput } from './alert-builder.js';
export { ACK_ATTR, ACK_EVENT_NAME, buildAck, readAcks, type Acknowledgement } from './ack.js';
export { fingerprintOf } from './fingerprint.js';
export { GROUP_ATTR, GROUP_EVENT_NAME, alertAttributes, buildGroup, readGroups, type AlertGroup } from './group.js';
export { backoffOf, deliveryShape, httpUrl, type DeliveryConfig } from './config.js';
export { ThrottledError, errorOfAnswer, expectOk, request, type HttpAnswer } from './http.js';
export { NotifyExporter, type NotifierOptions, type SendContext, type Sink } from './notifier.js';
export type { NotifyMemory } from './memory.js';
export { notifyMetrics, type NotifyMetrics, type Outcome } from './metrics.js';
