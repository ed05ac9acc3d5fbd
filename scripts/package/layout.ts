// Where the Debian package puts things; the units in packaging/systemd use the same paths.
export const PACKAGE = "crusoe-splunk-hec";
export const ETC_DIR = "/etc/crusoe-splunk-hec";
export const STATE_DIR = "/var/lib/crusoe-splunk-hec";

/** Secrets the units load with LoadCredential= and point the matching NAME_FILE at. */
export const CREDENTIALS = [
  { env: "CRUSOE_SECRET_ACCESS_KEY", name: "crusoe-secret" },
  { env: "SPLUNK_HEC_TOKEN", name: "hec-token" },
] as const;
