// Builds the play page into dist/page (served by the Worker as static assets, see wrangler.jsonc):
// page/main.ts bundled with the client library by esbuild, plus the page's HTML and CSS.
// `npm run build` runs it; `npm start`, `npm run deploy`, `npm run bench` and the test suite
// (vitest's global setup) run it first.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
export const PAGE_DIST = path.join(ROOT, "dist/page");

export async function buildPage(): Promise<{ bytes: number }> {
  await rm(PAGE_DIST, { recursive: true, force: true });
  await mkdir(PAGE_DIST, { recursive: true });
  const result = await build({
    entryPoints: [path.join(ROOT, "page/main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    // The page ships no source maps: nothing in it is secret, but nothing needs them either.
    outfile: path.join(PAGE_DIST, "main.js"),
    metafile: true,
    logLevel: "warning",
  });
  await Promise.all(["index.html", "style.css"].map((file) => copyFile(path.join(ROOT, "page", file), path.join(PAGE_DIST, file))));
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  return { bytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { bytes } = await buildPage();
  console.log(`page built in ${path.relative(process.cwd(), PAGE_DIST) || "."} (main.js ${bytes} bytes)`);
}
