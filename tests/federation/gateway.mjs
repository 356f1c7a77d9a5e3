// An Apollo Gateway over a fixed supergraph (no managed federation, no uplink, no telemetry).
//   node gateway.mjs --supergraph FILE [--port N]    serve on 127.0.0.1, print {"url": ...}
import { readFileSync } from "node:fs";

import { cliOptions, serve } from "./quiet-server.mjs";

// Imported after quiet-server.mjs has switched telemetry off in process.env.
const { ApolloGateway } = await import("@apollo/gateway");

const options = cliOptions({ supergraph: { type: "string" } });
if (!options.supergraph) throw new Error("--supergraph FILE is required");

const gateway = new ApolloGateway({ supergraphSdl: readFileSync(options.supergraph, "utf8") });
await serve({ gateway }, options.port);
