// Composes subgraphs into a supergraph with @apollo/composition and prints one JSON object:
//   {"errors": [{code, message}], "hints": [{code, message}], "supergraphSdl": "..." | null}
// Subgraphs come from argv (--subgraph NAME=URL=SDL_FILE, repeatable) or, with none given,
// from stdin as {"subgraphs": [{"name", "url", "sdl"}]}. Exits 1 when composition fails.
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

function fromArgv(specs) {
  return specs.map((spec) => {
    const [name, url, file] = spec.split("=");
    if (!name || !url || !file) throw new Error(`--subgraph wants NAME=URL=SDL_FILE, got ${spec}`);
    return { name, url, sdl: readFileSync(file, "utf8") };
  });
}

function fromStdin() {
  const config = JSON.parse(readFileSync(0, "utf8"));
  return config.subgraphs;
}

function describe(error) {
  return { code: error.extensions?.code ?? "UNKNOWN", message: error.message };
}

function run() {
  const { values } = parseArgs({ options: { subgraph: { type: "string", multiple: true } } });
  const subgraphs = values.subgraph?.length ? fromArgv(values.subgraph) : fromStdin();
  let services;
  try {
    services = subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) }));
  } catch (error) {
    return { errors: [{ code: "INVALID_GRAPHQL", message: error.message }], hints: [] };
  }
  const result = composeServices(services);
  return {
    errors: (result.errors ?? []).map(describe),
    hints: (result.hints ?? []).map((hint) => ({
      code: hint.definition?.code ?? "UNKNOWN",
      message: hint.message,
    })),
    supergraphSdl: result.supergraphSdl ?? null,
  };
}

const output = run();
output.supergraphSdl ??= null;
process.stdout.write(JSON.stringify(output) + "\n");
process.exitCode = output.errors.length > 0 ? 1 : 0;
