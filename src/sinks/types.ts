// The one interface the pipeline uses to deliver events (HEC or stdout).

/** One event ready to send: its id, its event time and its serialized HEC envelope. */
export interface SinkEvent {
  /** event_id: SHA-256 hex of the entry's canonical JSON. */
  id: string;
  /** Event time in epoch milliseconds (from start_time, or ingest time when missing). */
  timeMs: number;
  /** The envelope as one JSON line, no trailing newline. */
  readonly line: string;
  /** UTF-8 bytes of the line and its newline, when the producer counted them already. */
  readonly bytes?: number;
}

export interface DeadLetter {
  id: string;
  /** Splunk's code and text, or our own reason (e.g. "too big alone"). */
  code?: number;
  reason: string;
  line: string;
}

export interface SinkFailure {
  message: string;
  hint?: string;
  /** The destination went away on purpose (stdout's reader closed the pipe): stop, quietly. */
  closed?: boolean;
}

export interface SendResult {
  /** Ids the sink accepted (HEC 2xx, or ack true in ack mode). */
  delivered: string[];
  /** Events rejected on their own; the pipeline writes them to the dead-letter file. */
  deadLettered: DeadLetter[];
  /** Set when some of the batch is neither delivered nor dead-lettered. */
  failure?: SinkFailure;
  retries: number;
  /** Ack timeouts that were resent (Splunk may hold a copy). */
  possibleDuplicates: number;
}

/** What the pipeline knows that helps judge a rejection (hec/poison.ts). */
export interface SendContext {
  /** Splunk accepted events of this stream before (its dedup store holds ids). */
  streamAccepted?: boolean;
}

export interface Sink {
  readonly maxBatchEvents: number;
  readonly maxBatchBytes: number;
  /** Batches the pipeline may have in flight at once (results are still awaited in order). */
  readonly maxInFlight: number;
  /** Never throws for delivery problems: the result says exactly what happened. */
  send(batch: SinkEvent[], context?: SendContext): Promise<SendResult>;
  close(): Promise<void>;
}
