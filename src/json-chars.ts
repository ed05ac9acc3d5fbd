// Character codes of JSON's punctuation, for the scanners that read JSON text without parsing it
// (crusoe/item-json.ts, state/canonical-text.ts) or write it (hec/body.ts).
export const QUOTE = 34;
export const COMMA = 44;
export const COLON = 58;
export const OPEN_ARRAY = 91;
export const BACKSLASH = 92;
export const CLOSE_ARRAY = 93;
export const OPEN_OBJECT = 123;
export const CLOSE_OBJECT = 125;
