// A tiny second subgraph: extends Order (keyed by id) with loyaltyPoints.
//   node loyalty-subgraph.mjs [--port N]     serve on 127.0.0.1, print {"url": ...}
//   node loyalty-subgraph.mjs --print-sdl    print the subgraph SDL and exit
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import { readFileSync } from "node:fs";

import { cliOptions, serve } from "./quiet-server.mjs";

export const LOYALTY_SDL = readFileSync(new URL("./loyalty.graphql", import.meta.url), "utf8");

// FNV-1a over the id's UTF-8 bytes: stable across runs, machines and Node versions.
export function loyaltyPointsFor(orderId) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(String(orderId))) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 1000;
}

const resolvers = {
  Order: {
    __resolveReference: (reference) => ({ id: reference.id }),
    loyaltyPoints: (order) => loyaltyPointsFor(order.id),
  },
};

const options = cliOptions({ "print-sdl": { type: "boolean", default: false } });
if (options["print-sdl"]) {
  process.stdout.write(LOYALTY_SDL);
} else {
  const schema = buildSubgraphSchema([{ typeDefs: parse(LOYALTY_SDL), resolvers }]);
  await serve({ schema }, options.port);
}
