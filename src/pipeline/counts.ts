// What a run did, counted as it goes; printed as one summary line and stored as the status.

export interface RunCounts {
  fetched: number;
  duplicates: number;
  delivered: number;
  deadLettered: number;
  retries: number;
  possibleDuplicates: number;
  /** Entries without a parseable start_time (sent with ingest time). */
  missingTime: number;
}

export function emptyCounts(): RunCounts {
  return {
    fetched: 0,
    duplicates: 0,
    delivered: 0,
    deadLettered: 0,
    retries: 0,
    possibleDuplicates: 0,
    missingTime: 0,
  };
}

export interface Summary {
  /** One human line: what the run did, how long it took, how fast. */
  text: string;
  /** The same as fields of their own, for --log-format json. */
  values: Record<string, number | boolean>;
}

/** A dry run sent nothing: it says what it would send, never "delivered". */
export function summarize(counts: RunCounts, durationMs: number, dryRun = false): Summary {
  const seconds = durationMs / 1000;
  const eventsPerSecond = Math.round(counts.fetched / Math.max(seconds, 0.001));
  const parts = [
    `fetched ${counts.fetched}`,
    dryRun ? `would send ${counts.delivered}` : `delivered ${counts.delivered}`,
    `duplicates skipped ${counts.duplicates}`,
    `dead-lettered ${counts.deadLettered}`,
    `retries ${counts.retries}`,
  ];
  if (counts.possibleDuplicates)
    parts.push(`possible duplicates (ack timeout) ${counts.possibleDuplicates}`);
  if (counts.missingTime) parts.push(`without start_time ${counts.missingTime}`);
  const values: Summary["values"] = {
    fetched: counts.fetched,
    [dryRun ? "wouldSend" : "delivered"]: counts.delivered,
    duplicates: counts.duplicates,
    deadLettered: counts.deadLettered,
    retries: counts.retries,
    possibleDuplicates: counts.possibleDuplicates,
    missingTime: counts.missingTime,
    durationMs: Math.round(durationMs),
    eventsPerSecond,
  };
  if (dryRun) values.dryRun = true;
  return {
    text: `${parts.join(", ")} in ${seconds.toFixed(1)} s (${eventsPerSecond} events/s)`,
    values,
  };
}
