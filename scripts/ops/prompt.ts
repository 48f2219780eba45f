// The one interactive question the ops commands ask (teardown, rollback), on a terminal only.
import { createInterface } from "node:readline/promises";
import type { Confirm } from "./common.ts";

export const terminalConfirm: Confirm = async (question, expected) => {
  const readline = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const answer = (await readline.question(`${question}${expected ? ` (${expected})` : " [y/N]"}: `)).trim();
    return expected ? answer === expected : /^(y|yes)$/i.test(answer);
  } finally {
    readline.close();
  }
};
