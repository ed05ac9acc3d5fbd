// A stream is one org, one filter set, one destination; its state is kept under the hash of
// these. The descriptor is stored with each run's status so `status --all` can show what each
// hash stands for.
import type { ResolvedConfig } from "../config/types.ts";
import { hecEndpoints } from "../hec/url.ts";
import type { StreamDescriptor } from "../state/status.ts";
import { streamId } from "../state/stream-id.ts";

export function describeStream(config: ResolvedConfig): StreamDescriptor {
  const destination =
    config.sink === "hec" && config.hec.url
      ? `hec ${hecEndpoints(config.hec.url).event} ${config.hec.index ?? ""}`
      : config.sink;
  const filters: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(config.crusoe.filters))
    if (values?.length) filters[name] = [...new Set(values)].sort();
  return { orgId: config.crusoe.orgId, filters, destination };
}

export function streamOf(config: ResolvedConfig): string {
  // Named in a config file: editing its filters or index keeps its progress.
  if (config.state.streamName) return config.state.streamName;
  const { orgId, filters, destination } = describeStream(config);
  return streamId({ orgId, filters, sink: destination });
}
