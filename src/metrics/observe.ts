// Where the HTTP clients report each request and retry; the daemon's metrics listen here. Nothing
// listens in one-shot commands, so reporting costs a function call.

export type RequestTarget = "crusoe" | "hec";

export interface RequestObserver {
  request(target: RequestTarget, seconds: number): void;
  retry(target: RequestTarget): void;
}

let observer: RequestObserver | undefined;

export function setRequestObserver(next: RequestObserver | undefined): void {
  observer = next;
}

export function observeRequest(target: RequestTarget, seconds: number): void {
  observer?.request(target, seconds);
}

export function observeRetry(target: RequestTarget): void {
  observer?.retry(target);
}
