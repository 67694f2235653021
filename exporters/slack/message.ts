/** An alert state change as a Slack message: Block Kit blocks and the plain-text fallback. */
import type { Alert, AlertGroup } from '../notify-common/index.js';

/** A Block Kit block (the subset written here). */
export type Block = Record<string, unknown>;

/** What chat.postMessage, chat.update and an incoming webhook take besides the channel. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

const EMOJI = { firing: ':rotating_light:', resolved: ':white_check_mark:' } as const;
/** Slack's limit on a section's text. */
const MAX_TEXT = 3000;

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text });

/** The message of one alert state change; a resolve keeps the firing's content under a resolved header. */
export function slackMessage(alert: Alert, traceUrl: string | undefined): SlackMessage {
  const state = alert.state.toUpperCase();
  const summary = alert.annotations.summary ?? alert.alertname;
  const fields = [
    mrkdwn(`*Severity*\n${alert.severity}`),
    mrkdwn(`*Started*\n<!date^${Math.floor(alert.startsAtMs / 1000)}^{date_short_pretty} {time}|${new Date(alert.startsAtMs).toISOString()}>`),
  ];
  if (alert.labels.service_name) fields.push(mrkdwn(`*Service*\n${alert.labels.service_name}`));
  if (alert.value !== undefined) fields.push(mrkdwn(`*Value*\n${alert.value}`));
  if (alert.endsAtMs !== undefined) fields.push(mrkdwn(`*Resolved*\n${new Date(alert.endsAtMs).toISOString()}`));
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: `${EMOJI[alert.state]} [${state}] ${alert.alertname}`.slice(0, 150), emoji: true } },
    { type: 'section', text: mrkdwn(alert.annotations.description ? `*${summary}*\n${alert.annotations.description}` : `*${summary}*`), fields },
  ];
  const labels = Object.entries(alert.labels).map(([k, v]) => `\`${k}=${v}\``).join(' ');
  const context = [mrkdwn(labels)];
  const links = evidenceLinks(alert, traceUrl);
  if (links) context.push(mrkdwn(links));
  blocks.push({ type: 'context', elements: context });
  return { text: `[${state}] ${alert.alertname}: ${summary}`, blocks };
}

function evidenceLinks(alert: Alert, traceUrl: string | undefined): string {
  const links: string[] = [];
  if (alert.generatorUrl) links.push(`<${alert.generatorUrl}|rule>`);
  for (const id of alert.traceIds) links.push(traceUrl ? `<${traceUrl.replaceAll('{trace_id}', id)}|trace ${id.slice(0, 8)}>` : `trace \`${id}\``);
  return links.join(' · ');
}

/** Slack's limit on blocks per message; the group lists its first alerts and counts the rest. */
const MAX_LISTED = 40;

/** The message of a grouped notification: a header with the counts, then one line per alert. */
export function slackGroupMessage(group: AlertGroup, traceUrl: string | undefined): SlackMessage {
  const firing = group.alerts.filter((a) => a.state === 'firing').length;
  const resolved = group.alerts.length - firing;
  const labels = Object.entries(group.groupLabels).map(([k, v]) => `${k}=${v}`).join(' ');
  const title = `${EMOJI[group.status]} [${group.status.toUpperCase()}${firing > 0 ? `:${firing}` : ''}] ${labels || group.alerts[0]?.alertname || 'alerts'}`;
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: true } }];
  for (const a of group.alerts.slice(0, MAX_LISTED)) {
    const summary = a.annotations.summary ?? a.alertname;
    const links = evidenceLinks(a, traceUrl);
    const line = `${a.state === 'firing' ? EMOJI.firing : EMOJI.resolved} *${a.alertname}* (${a.severity}) ${summary}`;
    blocks.push({ type: 'section', text: mrkdwn(links ? `${line}\n${links}` : line) });
  }
  if (group.alerts.length > MAX_LISTED) blocks.push({ type: 'context', elements: [mrkdwn(`and ${group.alerts.length - MAX_LISTED} more`)] });
  return { text: `${title.replace(/^\S+ /, '')}: ${firing} firing, ${resolved} resolved`, blocks };
}
