// Builds the play page into dist/page (served by the Worker as static assets, see wrangler.jsonc):
// page/main.ts bundled with the client library by esbuild, plus the page's HTML and CSS.
// `npm run build` runs it; `npm start` and `npm run bench` run it first, the deploy CLI calls
// buildPage itself before uploading (no second npm process at deploy time), and the test suite
// runs it in vitest's global setup.
//
// The folder is updated in place, never emptied: a running `wrangler dev` (or a test's) serves
// from it while a deploy rebuilds, so a file is only rewritten when its bytes change, and then
// atomically (temporary file + rename).
import { build } from "esbuild";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
export const PAGE_DIST = path.join(ROOT, "dist/page");
const STATIC_FILES = ["index.html", "style.css"];

/** Builds `<root>/page` into `<root>/dist/page` (root: this checkout unless given). */
export async function buildPage(root: string = ROOT): Promise<{ bytes: number; written: string[] }> {
  const dist = path.join(root, "dist/page");
  const result = await build({
    entryPoints: [path.join(root, "page/main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    // The page ships no source maps: nothing in it is secret, but nothing needs them either.
    outfile: path.join(dist, "main.js"),
    write: false,
    logLevel: "warning",
  });
  const files = new Map<string, Uint8Array>(result.outputFiles.map((file) => [path.basename(file.path), file.contents]));
  for (const file of STATIC_FILES) files.set(file, await readFile(path.join(root, "page", file)));

  await mkdir(dist, { recursive: true });
  const written: string[] = [];
  for (const [name, contents] of files) {
    if (await sameBytes(path.join(dist, name), contents)) continue;
    const temporary = path.join(dist, `.${name}.${process.pid}.tmp`);
    await writeFile(temporary, contents);
    await rename(temporary, path.join(dist, name));
    written.push(name);
  }
  for (const name of await readdir(dist)) {
    if (!files.has(name) && !name.startsWith(".")) await rm(path.join(dist, name), { recursive: true, force: true });
  }
  return { bytes: files.get("main.js")?.byteLength ?? 0, written };
}

async function sameBytes(file: string, contents: Uint8Array): Promise<boolean> {
  try {
    return Buffer.compare(await readFile(file), contents) === 0;
  } catch {
    return false;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { bytes, written } = await buildPage();
  const changed = written.length ? `wrote ${written.join(", ")}` : "unchanged";
  console.log(`page built in ${path.relative(process.cwd(), PAGE_DIST) || "."} (main.js ${bytes} bytes; ${changed})`);
}
