// A storefront's two visits in ONE Apollo Client with one InMemoryCache (its defaults):
// a guest checkout paid by card, then customer 1 signs in and pays a checkout of their own
// with a stored card. Every operation is the contract's (checkout-flow.graphql as written),
// sent alone with the fragments it uses. The token travels in X-Shopper-Token, set by a
// link as a storefront would. Prints the answers, the cache, and what the cache gives back.
//
// Input: {"url", "document" (checkout-flow.graphql's text), "signIn": {email, password},
//         "billingAddress", "shippingAddress", "card", "productId", "quantity"}.
// Output: {"guest": {...}, "signedIn": {...}, "afterSignIn": {...}, "cacheReads": {...},
//          "cache": <InMemoryCache.extract()>}.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { SetContextLink } from "@apollo/client/link/context";
import { Kind, parse, visit } from "graphql";
import { loopbackUrl, readInput, writeResult } from "./io.mjs";

const input = readInput();
const flow = parse(input.document);
const fragments = new Map(
  flow.definitions
    .filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)
    .map((d) => [d.name.value, d]),
);

// One operation of the contract's document with every fragment it spreads (transitively):
// Apollo Client sends one operation per document.
function operation(name) {
  const op = flow.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name,
  );
  if (!op) throw new Error(`no operation ${name} in checkout-flow.graphql`);
  const needed = new Set();
  const todo = [op];
  while (todo.length) {
    visit(todo.pop(), {
      FragmentSpread(node) {
        if (!needed.has(node.name.value)) {
          needed.add(node.name.value);
          todo.push(fragments.get(node.name.value));
        }
      },
    });
  }
  return { kind: Kind.DOCUMENT, definitions: [op, ...[...needed].map((f) => fragments.get(f))] };
}

// The shopper's token, as a storefront keeps it after signIn (null: a guest).
let shopperToken = null;
const shopperHeader = new SetContextLink((previous) =>
  shopperToken
    ? { headers: { ...previous.headers, "X-Shopper-Token": shopperToken } }
    : {},
);
const client = new ApolloClient({
  link: ApolloLink.from([shopperHeader, new HttpLink({ uri: loopbackUrl(input.url) })]),
  cache: new InMemoryCache(),
});

async function query(name, variables, fetchPolicy = "network-only") {
  const { data } = await client.query({ query: operation(name), variables, fetchPolicy });
  return data;
}

async function mutate(name, variables) {
  const { data } = await client.mutate({ mutation: operation(name), variables });
  const payload = Object.values(data)[0];
  if (payload.errors?.length) {
    throw new Error(`${name}: ${JSON.stringify(payload.errors)}`);
  }
  return payload;
}

// CreateCart .. CreateOrder, PaymentMethods, then pay; the visit's answers by operation.
async function checkout(pay) {
  const seen = {};
  seen.CreateCart = await mutate("CreateCart", {
    input: {
      lineItems: [{ productId: input.productId, quantity: input.quantity }],
      currencyCode: "USD",
    },
  });
  const checkoutId = seen.CreateCart.cart.id;
  seen.AddBillingAddress = await mutate("AddBillingAddress", {
    input: { checkoutId, address: input.billingAddress },
  });
  seen.AddConsignment = await mutate("AddConsignment", {
    input: {
      checkoutId,
      address: input.shippingAddress,
      lineItems: [{ itemId: seen.CreateCart.cart.lineItems[0].id, quantity: input.quantity }],
    },
  });
  const consignment = seen.AddConsignment.checkout.consignments[0];
  seen.SelectShippingOption = await mutate("SelectShippingOption", {
    input: {
      checkoutId,
      consignmentId: consignment.id,
      shippingOptionId: consignment.availableShippingOptions[0].id,
    },
  });
  seen.Checkout = await query("Checkout", { id: checkoutId });
  seen.CreateOrder = await mutate("CreateOrder", {
    input: { checkoutId, idempotencyKey: `apollo-order-${crypto.randomUUID()}` },
  });
  const orderId = seen.CreateOrder.order.id;
  seen.PaymentMethods = await query("PaymentMethods", { orderId });
  Object.assign(seen, await pay(orderId, seen.PaymentMethods));
  seen.Order = await query("Order", { id: orderId });
  return { checkoutId, orderId, answers: seen };
}

const guest = await checkout(async (orderId) => ({
  PayWithCard: await mutate("PayWithCard", {
    input: {
      orderId,
      paymentMethodId: "braintree.card",
      card: input.card,
      saveInstrument: false,
      idempotencyKey: `apollo-pay-${crypto.randomUUID()}`,
    },
  }),
}));

const signIn = await mutate("SignIn", { input: { ...input.signIn, cartId: null } });
shopperToken = signIn.token;
const wallet = await query("Shopper", {});
// Signed in, the guest's order again, from the gateway: its methods and no instrument of
// the shopper's (an instrument pays only its own customer's orders). Asked before the
// shopper's own checkout, whose answer is then the last word on `shopper` in the cache.
const guestOrderSignedIn = await query("PaymentMethods", { orderId: guest.orderId });
const signedIn = await checkout(async (orderId, methods) => {
  const card = methods.shopper.storedInstruments.find((i) => i.__typename === "StoredCard");
  return {
    PayWithStoredCard: await mutate("PayWithStoredCard", {
      input: {
        orderId,
        paymentMethodId: card.paymentMethodId,
        token: card.token,
        verificationValue: input.card.verificationValue,
        idempotencyKey: `apollo-pay-${crypto.randomUUID()}`,
      },
    }),
  };
});

function cached(name, variables) {
  return client.readQuery({ query: operation(name), variables });
}

writeResult({
  guest: { checkoutId: guest.checkoutId, orderId: guest.orderId, answers: guest.answers },
  signedIn: {
    checkoutId: signedIn.checkoutId,
    orderId: signedIn.orderId,
    token: shopperToken, // for the final audit: it must not be written anywhere
    answers: { SignIn: { shopper: signIn.shopper }, Shopper: wallet, ...signedIn.answers },
  },
  afterSignIn: { guestPaymentMethods: guestOrderSignedIn },
  // What the one cache answers now, without the network.
  cacheReads: {
    guestOrder: cached("Order", { id: guest.orderId }),
    signedInOrder: cached("Order", { id: signedIn.orderId }),
    guestCheckout: cached("Checkout", { id: guest.checkoutId }),
    signedInCheckout: cached("Checkout", { id: signedIn.checkoutId }),
    signedInPaymentMethods: cached("PaymentMethods", { orderId: signedIn.orderId }),
  },
  cache: client.extract(),
});
