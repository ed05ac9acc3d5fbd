// Known answers for the two hashes whose results leave this host: the request signature Crusoe
// checks, and the event id Splunk and the dedup state keep. Each goes through the runtime's own
// hasher where it has one (src/runtime/), so a binary on another CPU (arm64) or runtime (Deno)
// must show it computes them exactly as the official Go client and every earlier run did: the
// emulators share our code, so the rest of the selftest would agree with a wrong answer.
import { signRequest } from "../crusoe/sign.ts";
import { canonicalBytes } from "../state/canonical-text.ts";
import { eventId, hashCanonical } from "../state/event-id.ts";

/** Reference vector 3 of the official Go signer (test/crusoe/sign.test.ts): a token with + / =. */
const SIGNED = {
  accessKeyId: "TESTKEYID0123456789abc",
  secretAccessKey: "AAECAwQFBgcICQoLDA0ODw",
  method: "GET",
  path: "/v1alpha5/organizations/0f8c5a7e-3b7d-4c1e-9a2b-6d4e5f708192/audit-logs",
  query: [
    ["start_time", "2025-09-03T16:00:00Z"],
    ["end_time", "2025-09-03T17:00:00Z"],
    ["limit", "100"],
    ["next_token", "eyJ0IjoxfQ+/ab=="],
  ] as [string, string][],
  timestamp: "2025-09-03T16:07:36Z",
  authorization: "Bearer 1.0:TESTKEYID0123456789abc:JeS35OLOtGTk7PMe165MZ2-sMR1PG-ZlG_wiH3WD6jM",
};

/** An entry as Crusoe sends it (keys out of order) and the SHA-256 of its canonical JSON. */
const ENTRY_TEXT = '{"start_time":"2024-05-01T12:00:00Z","action":"Create"}';
const ENTRY_ID = "94aa5100ae574aee570ada84360d71674f423384fc69eb50f376ea8a2ee0ca9b";

export async function referenceChecks(): Promise<{ passed: boolean; what: string }[]> {
  const signed = await signRequest(SIGNED);
  const fromText = canonicalBytes(ENTRY_TEXT);
  return [
    {
      passed: signed.authorization === SIGNED.authorization,
      what: "request signatures match the official Go client's reference",
    },
    {
      passed:
        eventId(JSON.parse(ENTRY_TEXT)) === ENTRY_ID &&
        fromText !== undefined &&
        hashCanonical(fromText) === ENTRY_ID,
      what: "event ids match their reference (SHA-256 of the canonical JSON)",
    },
  ];
}
