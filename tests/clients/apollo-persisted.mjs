// Apollo Client 4 with its persisted-queries link, ids from a persisted query manifest
// (by operation name, as @apollo/persisted-query-lists' generatePersistedQueryIdsFromManifest
// does): creates a cart, then reads its checkout. Prints what the app saw, what went over
// the wire, and, per operation, whether the SHA-256 of the document Apollo Client itself
// sends (printed with operations first, then fragments by name) is the manifest's id.
// Input: {"url", "document" (the .graphql text), "ids": {operationName: id}}.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { Kind, parse, print, visit } from "graphql";
import { createHash } from "node:crypto";
import { loopbackUrl, readInput, writeResult } from "./io.mjs";

const input = readInput();
const source = parse(input.document);
const fragments = new Map(
  source.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
);

// The one operation and the fragments it uses: a document Apollo Client accepts alone.
function operationDocument(name) {
  const operation = source.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name,
  );
  const used = new Set();
  const pending = [operation];
  while (pending.length) {
    visit(pending.pop(), {
      FragmentSpread(node) {
        if (!used.has(node.name.value)) {
          used.add(node.name.value);
          pending.push(fragments.get(node.name.value));
        }
      },
    });
  }
  return { kind: Kind.DOCUMENT, definitions: [operation, ...[...used].map((n) => fragments.get(n))] };
}

// Operations first, then fragments, each kind by name (what the manifest generator prints).
function sorted(document) {
  const rank = (d) => (d.kind === Kind.OPERATION_DEFINITION ? 0 : 1);
  const definitions = [...document.definitions].sort(
    (a, b) => rank(a) - rank(b) || (a.name?.value ?? "").localeCompare(b.name?.value ?? ""),
  );
  return { ...document, definitions };
}

const runtimeIdMatches = {};
const sent = [];
async function recordingFetch(url, init) {
  sent.push(JSON.parse(init.body));
  return fetch(url, init);
}

const persisted = new PersistedQueryLink({
  generateHash: (document) => {
    const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    const name = operation.name.value;
    const runtime = createHash("sha256").update(print(sorted(document))).digest("hex");
    runtimeIdMatches[name] = runtime === input.ids[name];
    return input.ids[name];
  },
  disable: () => false, // never fall back to sending documents
});
const client = new ApolloClient({
  link: ApolloLink.from([persisted, new HttpLink({ uri: loopbackUrl(input.url), fetch: recordingFetch })]),
  cache: new InMemoryCache(),
});

const options = { fetchPolicy: "no-cache", errorPolicy: "all" };
const created = await client.mutate({
  mutation: operationDocument("CreateCart"),
  variables: { input: { lineItems: [{ productId: 111, quantity: 2 }], currencyCode: "USD" } },
  ...options,
});
const cartId = created.data?.createCart?.cart?.id ?? null;
const checkout = await client.query({
  query: operationDocument("Checkout"),
  variables: { id: cartId },
  ...options,
});
writeResult({
  createCart: created.data ?? null,
  checkout: checkout.data ?? null,
  errors: [created.error, checkout.error].filter(Boolean).map((e) => `${e.name}: ${e.message}`),
  sent: sent.map((body) => ({ hasQuery: "query" in body, extensions: body.extensions ?? null })),
  runtimeIdMatches,
});
