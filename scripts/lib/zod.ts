// zod for the deploy-side scripts. Under tsx this loaded zod through require() to skip tsx's
// loader hooks (~0.2 s per start); Node now runs the scripts itself, with no hooks, and importing
// zod's ES modules costs the same as require() (~0.1 s either way, measured on Node 26.10). Kept
// as one place to import it from; `import { z } from "zod"` is equivalent.
export { z } from "zod";
