/**
 * The first key that appears twice in one object of a JSON text (already known to be valid
 * JSON), or null. Parsers disagree on which copy wins, so a signature checked over one reading
 * could vouch for another. Walked iteratively: the text may nest deeply.
 * Applied to inbox bodies and to the JSON text of a payload's `source` (docs/protocol.md §4, §6).
 */
export function duplicateJsonKey(text: string): string | null {
  const objects: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      const keys = objects[objects.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === "{") {
      objects.push(new Set());
      expectKey = true;
    } else if (c === "[") {
      objects.push(null);
    } else if (c === "}" || c === "]") {
      objects.pop();
    } else if (c === ",") {
      expectKey = objects[objects.length - 1] instanceof Set;
    }
  }
  return null;
}
