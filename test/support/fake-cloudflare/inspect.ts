// Helpers for reading recorded requests in tests.
import type { RecordedRequest } from "./types.ts";

/** The parsed "metadata" part of a Worker upload (PUT script / POST version), if any. */
export function uploadMetadata(request: RecordedRequest): Record<string, unknown> | undefined {
  const text = request.parts?.find((part) => part.name === "metadata")?.text;
  return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
}
