/** The email sink: one mail per alert state change over SMTP (nodemailer), STARTTLS and auth as configured. */
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { loadTls } from '../../config/tls.js';
import { splitEndpoint } from '../../config/types.js';
import { PermanentError, RetryableError, messageOf } from '../../pipeline/errors.js';
import type { Alert, AlertGroup, SendContext, Sink } from '../notify-common/index.js';
import type { Config } from './config.js';
import { alertMail, groupMail, type Mail } from './mail.js';

/** nodemailer's error codes that no retry will fix: bad credentials, refused envelope or message. */
const PERMANENT_CODES = new Set(['EAUTH', 'EENVELOPE', 'EMESSAGE']);

/** Sends alert mails. */
export class EmailSink implements Sink {
  private transport: Transporter | undefined;

  constructor(private readonly config: Config) {}

  async start(): Promise<void> {
    const c = this.config;
    const { host, port } = splitEndpoint(c.endpoint);
    const tls = loadTls(c.tls);
    this.transport = nodemailer.createTransport({
      host, port,
      secure: c.implicit_tls,
      requireTLS: c.starttls === 'required',
      ignoreTLS: c.starttls === 'none',
      tls: { ...tls, servername: tls.servername ?? host },
      ...(c.username === undefined ? {} : { auth: { user: c.username, pass: c.password ?? '' } }),
      ...(c.hello ? { name: c.hello } : {}),
      connectionTimeout: c.timeout, greetingTimeout: c.timeout, socketTimeout: c.timeout,
    });
  }

  async send(alert: Alert, _ctx: SendContext): Promise<void> {
    await this.mail(alertMail(alert));
  }

  /** A grouped notification: one mail listing its alerts, threaded with the group's earlier mails. */
  async sendGroup(group: AlertGroup, _ctx: SendContext): Promise<void> {
    await this.mail(groupMail(group));
  }

  private async mail(mail: Mail): Promise<void> {
    if (!this.transport) throw new RetryableError('email exporter is not started');
    try {
      await this.transport.sendMail({
        from: this.config.from, to: this.config.to, subject: mail.subject, text: mail.text, html: mail.html,
        messageId: mail.messageId,
        ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo, references: [mail.inReplyTo] } : {}),
      });
    } catch (err) {
      throw classify(err);
    }
  }

  async shutdown(): Promise<void> {
    this.transport?.close();
    this.transport = undefined;
  }
}

/** SMTP 5xx and refused credentials are permanent; 4xx and connection trouble are retried. */
function classify(err: unknown): Error {
  const e = err as { code?: string; responseCode?: number };
  const message = `smtp: ${messageOf(err)}`;
  if ((e.responseCode !== undefined && e.responseCode >= 500) || PERMANENT_CODES.has(e.code ?? '')) return new PermanentError(message, { cause: err });
  return new RetryableError(message, undefined, { cause: err });
}
