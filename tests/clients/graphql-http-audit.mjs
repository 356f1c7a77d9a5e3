// Runs graphql-http's own GraphQL-over-HTTP server audits against one URL and prints
//   {"results": [{"id", "name", "status": "ok" | "notice" | "warn" | "error", "reason"?,
//                 "response"?: {"status", "contentType", "body"}}]}
// Input: {"url": "http://127.0.0.1:PORT/graphql"}.
import { serverAudits } from "graphql-http";
import { loopbackUrl, readInput, writeResult } from "./io.mjs";

async function describe(result) {
  if (result.status === "ok") return { id: result.id, name: result.name, status: "ok" };
  const response = result.response;
  let body = null;
  try {
    body = (await response.text()).slice(0, 2000);
  } catch {
    body = null; // already read by the audit
  }
  return {
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.reason,
    response: {
      status: response.status,
      contentType: response.headers.get("content-type"),
      body,
    },
  };
}

const { url } = readInput();
const audits = serverAudits({ url: loopbackUrl(url) });
const results = [];
for (const audit of audits) {
  // One at a time: the report names each failure with the response that caused it.
  results.push(await describe(await audit.fn()));
}
writeResult({ results });
