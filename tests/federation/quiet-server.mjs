// Shared by the subgraph and the gateway: Apollo Server with everything that could talk to
// Apollo's hosted services switched off, listening on loopback only.
import { ApolloServer } from "@apollo/server";
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { parseArgs } from "node:util";

// Belt and braces: the Python helper sets these too, but a hand run must not phone home.
process.env.APOLLO_TELEMETRY_DISABLED = "1";
for (const name of ["APOLLO_KEY", "APOLLO_GRAPH_REF", "APOLLO_SCHEMA_REPORTING"]) {
  delete process.env[name];
}

export const HOST = "127.0.0.1";

export function cliOptions(extra = {}) {
  const { values } = parseArgs({
    options: { port: { type: "string", default: process.env.PORT ?? "0" }, ...extra },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a TCP port number, got ${values.port}`);
  }
  return { ...values, port };
}

export async function serve(serverOptions, port) {
  const server = new ApolloServer({
    ...serverOptions,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ...(serverOptions.plugins ?? []),
    ],
  });
  const { url } = await startStandaloneServer(server, { listen: { host: HOST, port } });
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // The one line the Python helper waits for.
  process.stdout.write(JSON.stringify({ url }) + "\n");
  return server;
}
