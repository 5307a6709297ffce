// Builds the projections and HTTP hooks of metrics, dashboard and access from the config, for
// main.ts (composition only): one onEvent for the transport, the hooks for the health server.
import { statSync } from "node:fs";
import type { Broker } from "../broker/broker.ts";
import { DEFAULT_ROOM } from "../broker/handshake.ts";
import type { BrokerEvent } from "../broker/events.ts";
import type { Event } from "../broker/types.ts";
import type { Config } from "../config.ts";
import { LiveModel } from "../dashboard/live.ts";
import { DashboardStream } from "../dashboard/stream.ts";
import { Viewers } from "../dashboard/viewers.ts";
import { BrokerMetrics } from "../metrics/metrics.ts";
import { ProcessSampler } from "../metrics/process.ts";
import { Access } from "./access.ts";
import { httpHooks, type HttpHooks } from "./routes.ts";

export interface Observability {
  readonly onEvent: (e: BrokerEvent) => void;
  readonly hooks: HttpHooks;
  readonly stop: () => void;
}

/** @param dispatch feeds an event to the broker (the dashboard's `watch`). */
export function observability(
  config: Pick<Config, "adminToken" | "viewersDir">,
  broker: Broker,
  version: string,
  declaredRooms: readonly string[],
  dispatch: (e: Event) => void,
): Observability | { error: string } {
  if (config.viewersDir !== "" && !statSync(config.viewersDir, { throwIfNoEntry: false })?.isDirectory()) {
    return { error: `BROKER_VIEWERS_DIR: ${config.viewersDir} is not a directory` };
  }
  const metrics = new BrokerMetrics(new Set([DEFAULT_ROOM, ...declaredRooms]));
  const live = new LiveModel();
  const sampler = new ProcessSampler().start();
  const snapshot = () => broker.snapshot();
  const stream = new DashboardStream({
    live,
    snapshot,
    watch: (matchId, on) => dispatch({ kind: "watch", matchId, on }),
    wallMs: (ms) => Math.round(performance.timeOrigin + ms),
    now: () => performance.now(),
  });
  const hooks = httpHooks({ access: new Access(config.adminToken), metrics, sampler, snapshot, version, stream, viewers: new Viewers(config.viewersDir) });
  return {
    onEvent: (e) => {
      metrics.onEvent(e);
      live.onEvent(e);
    },
    hooks,
    stop: () => {
      sampler.stop();
      stream.closeAll();
    },
  };
}
