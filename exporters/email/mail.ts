/** An alert state change as an email: subject, plain text and HTML bodies, and ids that thread firing and resolve. */
import { createHash } from 'node:crypto';
import type { Alert, AlertGroup } from '../notify-common/index.js';

/** What nodemailer is given besides the envelope. */
export interface Mail {
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** On resolve: the firing mail's id, so mail clients show both in one thread. */
  inReplyTo?: string;
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A Message-ID derived from what the mail is about: the same on every retry. */
function messageIdOf(alert: Alert, state: string): string {
  const h = createHash('sha256').update(`${alert.fingerprint}:${alert.startsAtMs}:${state}`).digest('hex').slice(0, 32);
  return `<${h}.${state}@vigil>`;
}

/** The mail of one alert state change. */
export function alertMail(alert: Alert): Mail {
  const state = alert.state.toUpperCase();
  const summary = alert.annotations.summary ?? alert.alertname;
  const rows: Array<[string, string]> = [
    ['Alert', alert.alertname], ['State', alert.state], ['Severity', alert.severity],
    ['Started', new Date(alert.startsAtMs).toISOString()],
  ];
  if (alert.endsAtMs !== undefined) rows.push(['Resolved', new Date(alert.endsAtMs).toISOString()]);
  if (alert.value !== undefined) rows.push(['Value', String(alert.value)]);
  for (const [k, v] of Object.entries(alert.labels)) rows.push([`label ${k}`, v]);
  for (const [k, v] of Object.entries(alert.annotations)) rows.push([`annotation ${k}`, v]);
  if (alert.generatorUrl) rows.push(['Rule', alert.generatorUrl]);
  for (const id of alert.traceIds) rows.push(['Evidence trace', id]);
  const text = `[${state}] ${summary}\n\n${rows.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;
  const html = `<!doctype html><html><body><h2>[${state}] ${escape(summary)}</h2><table>`
    + rows.map(([k, v]) => `<tr><th align="left">${escape(k)}</th><td>${escape(v)}</td></tr>`).join('')
    + '</table></body></html>';
  const service = alert.labels.service_name ? ` (${alert.labels.service_name})` : '';
  return {
    subject: `[${state}] ${alert.alertname}${service}: ${summary}`.slice(0, 250),
    text, html,
    messageId: messageIdOf(alert, alert.state),
    ...(alert.state === 'resolved' ? { inReplyTo: messageIdOf(alert, 'firing') } : {}),
  };
}

/**
 * The mail of a grouped notification: one mail listing every alert of it. Its Message-ID names the
 * notification (the same on a retry or a redone flush). Every mail of one group refers to the same
 * thread root (an id derived from the group and its start), so mail clients show them as one thread.
 */
export function groupMail(group: AlertGroup): Mail {
  const firing = group.alerts.filter((a) => a.state === 'firing').length;
  const labels = Object.entries(group.groupLabels).map(([k, v]) => `${k}=${v}`).join(' ') || group.alerts[0]?.alertname || 'alerts';
  const title = `[${group.status.toUpperCase()}${firing > 0 ? `:${firing}` : ''}] ${labels}`;
  const line = (a: Alert): string => `[${a.state.toUpperCase()}] ${a.alertname} (${a.severity}): ${a.annotations.summary ?? a.alertname}`;
  const details = (a: Alert): Array<[string, string]> => [
    ['Started', new Date(a.startsAtMs).toISOString()],
    ...(a.endsAtMs === undefined ? [] : [['Resolved', new Date(a.endsAtMs).toISOString()] as [string, string]]),
    ...Object.entries(a.labels).map(([k, v]): [string, string] => [`label ${k}`, v]),
    ...(a.generatorUrl ? [['Rule', a.generatorUrl] as [string, string]] : []),
    ...a.traceIds.map((id): [string, string] => ['Evidence trace', id]),
  ];
  const text = `${title}\n\n${group.alerts.map((a) => `${line(a)}\n${details(a).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`).join('\n\n')}\n`;
  const html = `<!doctype html><html><body><h2>${escape(title)}</h2>`
    + group.alerts.map((a) => `<h3>${escape(line(a))}</h3><table>${details(a).map(([k, v]) => `<tr><th align="left">${escape(k)}</th><td>${escape(v)}</td></tr>`).join('')}</table>`).join('')
    + '</body></html>';
  const id = (what: string): string => `<${createHash('sha256').update(what).digest('hex').slice(0, 32)}.group@vigil>`;
  return {
    subject: title.slice(0, 250), text, html, messageId: id(group.notificationId),
    inReplyTo: id(`${group.groupKey}:${group.startedAtMs}`),
  };
}
