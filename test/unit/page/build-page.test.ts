// The page build updates dist/page in place: a deploy rebuilds while `wrangler dev` servers (the
// tests', a developer's) serve from the same folder, so unchanged files are never rewritten and
// the folder is never emptied.
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPage } from "../../../scripts/build-page.ts";
import { PROJECT_ROOT } from "../../support/dev-server.ts";

let root: string;

beforeAll(async () => {
  // Inside the checkout (.tmp/ is ignored) so esbuild resolves partysocket and zod from node_modules.
  await mkdir(path.join(PROJECT_ROOT, ".tmp"), { recursive: true });
  root = await mkdtemp(path.join(PROJECT_ROOT, ".tmp", "build-page-"));
  for (const dir of ["page", "client", "party"]) await cp(path.join(PROJECT_ROOT, dir), path.join(root, dir), { recursive: true });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("buildPage", () => {
  it("writes the page, then rewrites only what changed and drops stale files", async () => {
    const dist = path.join(root, "dist/page");
    const first = await buildPage(root);
    expect(first.written.sort()).toEqual(["index.html", "main.js", "style.css"]);
    expect(first.bytes).toBeGreaterThan(0);
    expect(await readFile(path.join(dist, "index.html"), "utf8")).toBe(await readFile(path.join(root, "page/index.html"), "utf8"));

    const again = await buildPage(root);
    expect(again.written).toEqual([]);

    const mainBefore = await stat(path.join(dist, "main.js"));
    await writeFile(path.join(dist, "stale.js"), "old build");
    await writeFile(path.join(root, "page/style.css"), "body { color: red; }\n");
    const changed = await buildPage(root);
    expect(changed.written).toEqual(["style.css"]);
    expect(await readFile(path.join(dist, "style.css"), "utf8")).toBe("body { color: red; }\n");
    await expect(stat(path.join(dist, "stale.js"))).rejects.toThrow();
    expect((await stat(path.join(dist, "main.js"))).ino).toBe(mainBefore.ino);
  });
});
