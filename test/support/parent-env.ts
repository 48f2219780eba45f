// The environment a test child inherits: the parent's, minus what could point it at a real
// account or route it through a proxy (the children talk to loopback fakes only).

/** Proxy settings in either spelling (http_proxy, HTTPS_PROXY, no_proxy, ...). */
const PROXY_VARIABLE = /_proxy$/i;

/** process.env without proxy settings and without variables whose names start with one of `prefixes`. */
export function parentEnvWithout(prefixes: readonly string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (prefixes.some((prefix) => name.startsWith(prefix)) || PROXY_VARIABLE.test(name)) continue;
    env[name] = value;
  }
  return env;
}
