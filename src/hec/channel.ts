// One X-Splunk-Request-Channel per process (docs/splunk-hec.md), with the cookie jar that belongs
// to it for each HEC origin.
import { type CookieJar, createCookieJar } from "./cookies.ts";

export const processChannel: string = crypto.randomUUID();

const jars = new Map<string, CookieJar>();

export function cookieJarFor(origin: string, channel: string = processChannel): CookieJar {
  const key = `${channel} ${origin}`;
  let jar = jars.get(key);
  if (!jar) {
    jar = createCookieJar();
    jars.set(key, jar);
  }
  return jar;
}
