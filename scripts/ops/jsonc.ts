// wrangler.jsonc is JSON with comments and trailing commas. Reading it needs no parser library:
// drop comments and trailing commas outside strings, then JSON.parse. Pure.

/** JSONC text -> JSON text (comments and trailing commas removed, strings untouched). */
export function stripJsonc(text: string): string {
  let out = "";
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    const next = text[index + 1];
    if (char === '"') {
      // Copy a string literal verbatim, honouring escapes.
      let end = index + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      out += text.slice(index, end + 1);
      index = end + 1;
    } else if (char === "/" && next === "/") {
      while (index < text.length && text[index] !== "\n") index++;
    } else if (char === "/" && next === "*") {
      const end = text.indexOf("*/", index + 2);
      index = end < 0 ? text.length : end + 2;
    } else {
      out += char;
      index++;
    }
  }
  return dropTrailingCommas(out);
}

/** Removes a comma followed (after whitespace) by } or ], outside string literals. */
function dropTrailingCommas(json: string): string {
  let out = "";
  for (let index = 0; index < json.length; index++) {
    const char = json[index]!;
    if (char === '"') {
      let end = index + 1;
      while (end < json.length && json[end] !== '"') end += json[end] === "\\" ? 2 : 1;
      out += json.slice(index, end + 1);
      index = end;
    } else if (char === "," && /^\s*[}\]]/.test(json.slice(index + 1))) {
      continue;
    } else {
      out += char;
    }
  }
  return out;
}

export function parseJsonc(text: string): unknown {
  return JSON.parse(stripJsonc(text));
}
