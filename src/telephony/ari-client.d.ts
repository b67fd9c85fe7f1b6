// The subset of ari-client (untyped, 2019) that src/telephony/ari-gateway.ts uses.
declare module 'ari-client' {
  import type { EventEmitter } from 'node:events';
  interface AriClient extends EventEmitter {
    start(apps: string | string[]): Promise<void>;
    stop(): void;
    channels: {
      list(): Promise<Array<Record<string, unknown>>>;
      continueInDialplan(params: { channelId: string; context?: string; extension?: string; priority?: number }): Promise<void>;
    };
    bridges: {
      list(): Promise<Array<Record<string, unknown>>>;
    };
    applications: {
      subscribe(params: { applicationName: string; eventSource: string }): Promise<unknown>;
    };
  }
  function connect(url: string, user: string, password: string): Promise<AriClient>;
  export { connect, type AriClient };
  const _default: { connect: typeof connect };
  export default _default;
}
