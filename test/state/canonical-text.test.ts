import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { itemTexts } from "../../src/crusoe/item-json.ts";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { canonicalBytes } from "../../src/state/canonical-text.ts";
import { canonicalJson } from "../../src/state/event-id.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const decoder = new TextDecoder();
function canonicalFromText(text: string): string | undefined {
  const bytes = canonicalBytes(text);
  return bytes && decoder.decode(bytes);
}

/** The one rule: an answer is exactly the canonical JSON of the parsed text. */
function expectSameOrNone(text: string): string | undefined {
  const fast = canonicalFromText(text);
  if (fast !== undefined) expect(fast).toBe(canonicalJson(JSON.parse(text)));
  return fast;
}

describe("canonical JSON read off an entry's text", () => {
  test("answers for compact flat entries in any key order, byte-identical to the parsed path", () => {
    const entries = generateAuditEntries(300, { startMs: 0, endMs: 3_600_000 });
    for (const entry of entries) {
      const reversed = Object.fromEntries(Object.entries(entry).reverse());
      const sorted = JSON.parse(canonicalJson(entry));
      for (const shape of [entry, reversed, sorted]) {
        expect(expectSameOrNone(JSON.stringify(shape))).toBe(canonicalJson(entry));
      }
    }
  });

  test("answers with literals, numbers in shortest form, empty arrays and keys", () => {
    for (const text of [
      '{"z":"~","a":true,"m":null,"b":[1,"x",false,null],"":0,"n":-1.5,"e":1e-7,"c":[]}',
      '{"b":"</script>","a":"&"}',
      "{}",
    ]) {
      expect(expectSameOrNone(text)).toBeDefined();
    }
  });

  test("declines text that is not ASCII (bytes and characters would not line up)", () => {
    for (const text of ['{"z":"ü","a":1}', '{"b":"€😀","a":"\u2028"}']) {
      expect(canonicalFromText(text)).toBeUndefined();
    }
  });

  test("declines what JSON.stringify would write differently, or objects would reorder or drop", () => {
    for (const text of [
      '{"b":1, "a":2}', // whitespace
      '{"b":1,"a":"\\u003c"}', // an escape (Go writes < this way)
      '{"b":"\\"","a":1}',
      '{"b":1.0,"a":1}', // numbers not in shortest form
      '{"b":1e3,"a":1}',
      '{"b":-0,"a":1}',
      '{"b":1E5,"a":1}',
      '{"b":100000000000000000000000,"a":1}',
      '{"b":{"y":1,"x":2},"a":1}', // nested object
      '{"b":[[1]],"a":1}', // nested array
      '{"b":[{"y":1}],"a":1}',
      '{"a":1,"b":2,"a":3}', // duplicate key: the parser keeps the last
      '{"__proto__":1,"a":2}', // dropped by a sorted copy
      '{"10":1,"9":2,"a":3}', // integer-like keys are listed first
      '{"b":1,"a":2} ', // trailing text
      "{} ", // trailing text after an empty entry
    ]) {
      expect(canonicalFromText(text)).toBeUndefined();
      // and the parsed path still agrees with itself
      expectSameOrNone(text);
    }
  });

  test("the same shape twice reuses its order; a new shape is sorted afresh", () => {
    expect(canonicalFromText('{"b":1,"a":2}')).toBe('{"a":2,"b":1}');
    expect(canonicalFromText('{"b":3,"a":4}')).toBe('{"a":4,"b":3}');
    expect(canonicalFromText('{"bb":3,"a":4}')).toBe('{"a":4,"bb":3}');
    expect(canonicalFromText('{"c":1,"b":2,"a":3}')).toBe('{"a":3,"b":2,"c":1}');
    // The same count and key lengths, other keys: the keys are compared, not only measured.
    expect(canonicalFromText('{"a":1,"b":2,"c":3}')).toBe('{"a":1,"b":2,"c":3}');
    // A cached key that is a prefix of the new one: the lengths are compared too.
    expect(canonicalFromText('{"a":1,"ab":2}')).toBe('{"a":1,"ab":2}');
    expect(canonicalFromText('{"ac":1,"ab":2}')).toBe('{"ab":2,"ac":1}');
    expect(canonicalFromText('{"a":1,"b":2}')).toBe('{"a":1,"b":2}');
  });

  test("an entry bigger than the scratch buffer is sorted whole (the copy needs twice its size)", () => {
    for (const size of [3_000, 9_000, 27_000]) {
      const text = `{"b":"${"x".repeat(size)}","a":1}`;
      expect(canonicalFromText(text)).toBe(canonicalJson(JSON.parse(text)));
    }
  });
});

describe("item texts cut out of a page", () => {
  const page = (items: unknown[], extra = "") =>
    `{"next_page_token":"a\\"b+/=","items":${JSON.stringify(items)}${extra},"prev_page_token":""}`;

  test("each item's text is exactly its JSON, escapes, brackets and braces in strings included", () => {
    const items = [
      { a: 'x"}]{[', b: ["\\", "]"] },
      { nested: { items: [{ x: 1 }] }, items: "no" },
      { q: 'say "a"}] then "b"' }, // several escaped quotes in one string, brackets between
      ...generateAuditEntries(50, { startMs: 0, endMs: 3_600_000 }),
    ];
    const texts = itemTexts(page(items), items.length);
    expect(texts).toEqual(items.map((item) => JSON.stringify(item)));
  });

  test("declines line breaks, a second items array and a count that does not match", () => {
    const items = [{ a: 1 }, { b: 2 }];
    expect(itemTexts(JSON.stringify({ items }, null, 1), 2)).toBeUndefined();
    expect(itemTexts(`{"items":[{"a":1}],"items":[{"a":1},{"b":2}]}`, 2)).toBeUndefined();
    expect(itemTexts(page(items), 3)).toBeUndefined();
    expect(itemTexts('{"\\u0069tems":[{"a":1}]}', 1)).toBeUndefined();
    // A carriage return inside an item (JSON whitespace) would break the envelope's line too.
    expect(itemTexts('{"items":[{"a":\r1}]}', 1)).toBeUndefined();
  });

  test("objects in a later top-level array are not items", () => {
    expect(itemTexts('{"items":[{"a":1}],"more":[{"b":2}]}', 1)).toEqual(['{"a":1}']);
  });
});
