/** The otlp receiver: one gRPC server and one HTTP server feeding every signal's pipelines. */
import type { Consumer, CreateSettings, Host, Receiver } from '../../pipeline/component.js';
import type { Signal } from '../../pdata/payload.js';
import type { Config } from './config.js';
import { GrpcFrontend } from './grpc.js';
import { HttpFrontend } from './http.js';
import { Intake } from './intake.js';

/** Where each started protocol listens (`host:port`), for logs, tests and the engine. */
export interface BoundAddresses {
  grpc?: string;
  http?: string;
}

/** Starts the configured protocols; both share one Intake, so counting and logging agree. */
export class OtlpReceiver implements Receiver {
  private readonly grpc: GrpcFrontend | undefined;
  private readonly http: HttpFrontend | undefined;
  private bound: BoundAddresses = {};
  private readonly intake: Intake;

  constructor(private readonly settings: CreateSettings, config: Config, next: ReadonlyMap<Signal, Consumer>) {
    const intake = new Intake(settings, next);
    this.intake = intake;
    const { grpc, http } = config.protocols;
    if (grpc) this.grpc = new GrpcFrontend(grpc, intake, settings.logger);
    if (http) this.http = new HttpFrontend(http, intake, settings.logger);
  }

  async start(_host: Host): Promise<void> {
    try {
      if (this.grpc) this.bound.grpc = await this.grpc.start();
      if (this.http) this.bound.http = await this.http.start();
    } catch (err) {
      // Do not leave one protocol listening when the other could not start.
      await this.shutdown(Date.now());
      throw err;
    }
    this.settings.logger.info({ ...this.bound }, 'listening');
  }

  /** The addresses bound by `start`; empty before. */
  addresses(): BoundAddresses {
    return { ...this.bound };
  }

  async shutdown(deadline: number): Promise<void> {
    this.intake.close();
    const results = await Promise.allSettled([this.grpc?.shutdown(deadline), this.http?.shutdown(deadline)]);
    this.bound = {};
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
