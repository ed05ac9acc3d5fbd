// Poison or setting? An event Splunk rejects is poison (dead-lettered, the run goes on) only when
// Splunk accepts events like it: another event of the same batch, or, for a lone rejection, an
// earlier one through this sink or of this stream (its dedup store holds ids). A whole batch rejected for one reason, or a rejection before
// anything was ever accepted, is a setting (a proxy, the token, the URL), not bad events:
// dead-lettering would empty the stream into the file. The run fails instead and nothing is
// dead-lettered, so fixing the setting and running again delivers every event.
import type { DeadLetter } from "../sinks/types.ts";

export interface Rejections {
  batchSize: number;
  /** Events of this batch Splunk accepted. */
  accepted: number;
  /** Splunk accepted an event through this sink (another batch) or of this stream before. */
  acceptedBefore: boolean;
  rejected: DeadLetter[];
}

/** Undefined when the rejected events are poison; otherwise why they are a setting error. */
export function judgeRejections(r: Rejections): { message: string; hint: string } | undefined {
  if (r.rejected.length === 0 || r.accepted > 0) return undefined;
  const first = r.rejected[0] as DeadLetter;
  const uniform = r.rejected.length > 1 && r.rejected.every((d) => d.reason === first.reason);
  if (!uniform && r.acceptedBefore) return undefined;
  const what =
    r.rejected.length > 1
      ? `all ${r.rejected.length} events of a batch`
      : "an event before accepting any";
  return {
    message: `Splunk HEC rejected ${what} (${first.reason}): that is a setting or a proxy, not bad events`,
    hint: "nothing was dead-lettered or advanced; check SPLUNK_HEC_URL (a proxy in front of Splunk and its body limit vs SPLUNK_MAX_BATCH_BYTES) and the token's settings, then run again",
  };
}
