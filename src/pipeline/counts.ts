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

export function summarize(counts: RunCounts): string {
  const parts = [
    `fetched ${counts.fetched}`,
    `delivered ${counts.delivered}`,
    `duplicates skipped ${counts.duplicates}`,
    `dead-lettered ${counts.deadLettered}`,
    `retries ${counts.retries}`,
  ];
  if (counts.possibleDuplicates)
    parts.push(`possible duplicates (ack timeout) ${counts.possibleDuplicates}`);
  if (counts.missingTime) parts.push(`without start_time ${counts.missingTime}`);
  return parts.join(", ");
}
