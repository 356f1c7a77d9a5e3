// Opens one OrderStatus subscription the way a storefront does and prints each result as a
// JSON line on stdout: {"data": ...} or {"error": {...}}, then {"complete": true}.
//   node subscribe.mjs ws|multipart <graphql url> <client key> <order id> [shopper token]
// Exits after "complete", or when stdin closes (the test is done with it).
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [transport, url, clientKey, orderId, shopperToken] = process.argv.slice(2);
const query = `subscription OrderStatus($orderId: ID!) {
  orderStatusChanged(orderId: $orderId) { id number status statusId }
}`;
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const auth = { Authorization: `Bearer ${clientKey}` };
if (shopperToken) auth["X-Shopper-Token"] = shopperToken;

let stop = () => {};
process.stdin.on("end", () => { stop(); process.exit(0); });
process.stdin.resume();

if (transport === "ws") {
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: auth,
    retryAttempts: 0,
    on: { closed: (event) => print({ closed: event.code }) },
  });
  stop = client.subscribe(
    { query, variables: { orderId } },
    {
      next: (result) => print(result.errors ? { error: result.errors } : { data: result.data }),
      error: (error) => print({ error: Array.isArray(error) ? error : { message: String(error?.message ?? error?.code ?? error) } }),
      complete: () => print({ complete: true }),
    },
  );
} else {
  const client = new ApolloClient({
    link: new HttpLink({ uri: url, headers: auth }),
    cache: new InMemoryCache(),
  });
  const subscription = client.subscribe({ query: gql(query), variables: { orderId } }).subscribe({
    next: (result) => print(result.error ? { error: { message: result.error.message, errors: result.error.errors } } : { data: result.data }),
    error: (error) => print({ error: { message: error.message } }),
    complete: () => print({ complete: true }),
  });
  stop = () => subscription.unsubscribe();
}
