// Sends one operation with Apollo Client (HttpLink, no cache) and prints what the app sees:
//   {"data": ... | null, "errors": [{message, code}] | null, "networkError": string | null,
//    "responses": [{"status", "contentType"}]}
// Input: {"url", "query", "variables"?, "operationName"?, "headers"?}.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { getOperationAST, parse } from "graphql";
import { loopbackUrl, readInput, writeResult } from "./io.mjs";

const input = readInput();
const responses = [];
// Records the status and Content-Type of every HTTP answer Apollo reads.
async function recordingFetch(url, init) {
  const response = await fetch(url, init);
  responses.push({ status: response.status, contentType: response.headers.get("content-type") });
  return response;
}

const client = new ApolloClient({
  link: ApolloLink.from([
    new HttpLink({ uri: loopbackUrl(input.url), headers: input.headers ?? {}, fetch: recordingFetch }),
  ]),
  cache: new InMemoryCache(),
});
const document = parse(input.query);
const kind = getOperationAST(document, input.operationName)?.operation;
const options = {
  variables: input.variables ?? {},
  fetchPolicy: "no-cache",
  errorPolicy: "all",
};
const result =
  kind === "mutation"
    ? await client.mutate({ mutation: document, ...options })
    : await client.query({ query: document, ...options });
const error = result.error;
writeResult({
  data: result.data ?? null,
  errors: CombinedGraphQLErrors.is(error)
    ? error.errors.map((e) => ({ message: e.message, code: e.extensions?.code ?? null }))
    : null,
  networkError: error && !CombinedGraphQLErrors.is(error) ? `${error.name}: ${error.message}` : null,
  responses,
});
