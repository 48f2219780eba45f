// Entry point of the perudo-vibe Pulumi program (Pulumi.yaml: main: infra/index.ts).
// The default export is the whole program: the CLI calls it and publishes what it returns as the
// stack outputs. Keep it the only export: with a default export, named exports are an error.
import { installErrorStackGuard } from "./errors.ts";
import { definePerudoStack, readStackConfig } from "./program.ts";

export default function main() {
  installErrorStackGuard();
  return definePerudoStack(readStackConfig());
}
