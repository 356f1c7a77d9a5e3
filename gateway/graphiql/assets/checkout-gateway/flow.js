// checkout-gateway's GraphiQL start-up: one tab per step of the checkout flow (a signed-in
// set and a guest set, built by gateway/graphiql/tabs.py), ids carried from one step's
// answer into the next step's variables, and the SignIn answer's token sent by the
// signed-in tabs. Served from our own origin under a strict CSP, so no inline code: the
// page hands us its settings as a JSON data block.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("checkout-flow-config").textContent);
  var h = window.React.createElement;
  var TOKEN_HEADER = config.shopperToken.header;
  var TOKEN_PLACEHOLDER = config.shopperToken.placeholder;
  // Ids learnt from earlier results, per audience (a guest's cart is not the shopper's);
  // sessionStorage so they last as long as the browser tab.
  var STORE_KEY = "checkout-gateway.flow.";
  // The shopper token lives in this closure only: never written to storage.
  var shopperToken = null;

  function remembered(audience) {
    try {
      return JSON.parse(window.sessionStorage.getItem(STORE_KEY + audience) || "{}");
    } catch (e) {
      return {};
    }
  }

  function remember(audience, found) {
    var values = remembered(audience);
    Object.keys(found).forEach(function (key) {
      if (found[key] !== undefined && found[key] !== null) values[key] = String(found[key]);
    });
    window.sessionStorage.setItem(STORE_KEY + audience, JSON.stringify(values));
  }

  function newIdempotencyKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) { return b.toString(16).padStart(2, "0"); })
      .join("");
  }

  function isPlainObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function hasTokenHeader(headers) {
    return isPlainObject(headers) && Object.keys(headers).some(function (key) {
      return key.toLowerCase() === TOKEN_HEADER.toLowerCase();
    });
  }

  // A tab that sends X-Shopper-Token runs as the signed-in shopper; any other as a guest.
  function audienceOf(headers) {
    return hasTokenHeader(headers) ? "signedIn" : "guest";
  }

  // Replace "<cart id>"-style placeholders with what earlier results taught us. Returns the
  // filled value and pushes the placeholders we could not fill yet onto ``missing``.
  function fillPlaceholders(value, known, missing) {
    if (typeof value === "string") {
      if (value === TOKEN_PLACEHOLDER) {
        if (shopperToken) return shopperToken;
        missing.push(value + " (run SignIn first)");
        return value;
      }
      var rule = config.placeholders[value];
      if (!rule) return value;
      if (rule.fresh) return newIdempotencyKey();
      if (known[rule.key] !== undefined) return known[rule.key];
      missing.push(value + " (run " + rule.learntFrom + " first)");
      return value;
    }
    if (Array.isArray(value)) {
      return value.map(function (item) { return fillPlaceholders(item, known, missing); });
    }
    if (isPlainObject(value)) {
      var out = {};
      Object.keys(value).forEach(function (key) {
        out[key] = fillPlaceholders(value[key], known, missing);
      });
      return out;
    }
    return value;
  }

  function first(list) {
    return Array.isArray(list) && list.length > 0 ? list[0] : undefined;
  }

  // Learn ids from a result by its root fields, so renamed operations still count.
  function learnFrom(audience, data) {
    if (!isPlainObject(data)) return;
    var found = {};
    if (data.signIn && data.signIn.token) shopperToken = data.signIn.token;
    if (data.signOut && (data.signOut.errors || []).length === 0) shopperToken = null;
    var cart = data.createCart && data.createCart.cart;
    if (cart) {
      found.cartId = cart.id;
      var item = first(cart.lineItems);
      if (item) found.lineItemId = item.id;
    }
    var consignment =
      data.addConsignment &&
      data.addConsignment.checkout &&
      first(data.addConsignment.checkout.consignments);
    if (consignment) {
      found.consignmentId = consignment.id;
      var option = first(consignment.availableShippingOptions);
      if (option) found.shippingOptionId = option.id;
    }
    var order = data.createOrder && data.createOrder.order;
    if (order) found.orderId = order.id;
    if (Array.isArray(data.paymentMethods) && data.paymentMethods.length > 0) {
      found.paymentMethodId = data.paymentMethods[0].id;
      // Before shopper identity, stored instruments hung off each payment method.
      var withStored = data.paymentMethods.filter(function (method) {
        return first(method.storedInstruments) !== undefined;
      });
      if (withStored.length > 0) {
        found.paymentMethodId = withStored[0].id;
        found.storedToken = withStored[0].storedInstruments[0].token;
      }
    }
    // A signed-in shopper's instruments for the order (Shopper.storedInstruments(orderId)).
    // PayWithStoredCard takes a card: prefer one over a PayPal account.
    var instruments = (data.shopper && data.shopper.storedInstruments) || [];
    var cards = instruments.filter(function (i) { return i.__typename === "StoredCard"; });
    var stored = first(cards) || first(instruments);
    if (stored) {
      found.storedToken = stored.token;
      if (stored.paymentMethodId) found.storedPaymentMethodId = stored.paymentMethodId;
    }
    remember(audience, found);
  }

  function requestHeaders(extra) {
    var headers = { "content-type": "application/json", accept: "application/json" };
    var csrfToken = window.Cookies && window.Cookies.get("csrftoken");
    if (csrfToken) headers["x-csrftoken"] = csrfToken;
    Object.keys(extra || {}).forEach(function (key) { headers[key] = extra[key]; });
    return headers;
  }

  function isSubscription(params, options) {
    // GraphiQL hands over the parsed document; a direct caller may not (parse it then).
    var document = options && options.documentAST;
    if (!document) {
      try {
        document = window.GraphiQL.GraphQL.parse(params.query);
      } catch (e) {
        return false;  // the gateway will say what is wrong with it
      }
    }
    var operations = document.definitions.filter(function (d) {
      return d.kind === "OperationDefinition";
    });
    var chosen = operations.filter(function (d) {
      return params.operationName ? d.name && d.name.value === params.operationName : true;
    });
    return chosen.length === 1 && chosen[0].operation === "subscription";
  }

  // Subscriptions go over WebSocket (graphql-transport-ws, the graphql-ws client GraphiQL's
  // bundle carries) to the same origin; the tab's headers ride in connection_init.
  var socketUrl =
    (window.location.protocol === "https:" ? "wss:" : "ws:") +
    "//" + window.location.host + config.endpoint;
  var streamFetcher = window.GraphiQL.createFetcher({
    url: config.endpoint,
    subscriptionUrl: socketUrl,
  });

  function postJson(body, headers, audience) {
    return window
      .fetch(config.endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: requestHeaders(headers),
        body: JSON.stringify(body),
      })
      .then(function (response) {
        return response.text().then(function (text) {
          try {
            return JSON.parse(text);
          } catch (e) {
            return { errors: [{ message: "HTTP " + response.status + ": " + text }] };
          }
        });
      })
      .then(function (result) {
        if (result && result.data) learnFrom(audience, result.data);
        return result;
      });
  }

  // The schema is fetched with the active tab's headers; a signed-in tab's token before any
  // SignIn is left out, so the schema loads for a guest.
  function withoutUnfilledToken(headers) {
    var out = {};
    Object.keys(headers).forEach(function (key) {
      if (!(headers[key] === TOKEN_PLACEHOLDER && !shopperToken)) out[key] = headers[key];
    });
    return out;
  }

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    if (params.operationName === "IntrospectionQuery") headers = withoutUnfilledToken(headers);
    var audience = audienceOf(headers);
    var missing = [];
    var known = remembered(audience);
    var variables = fillPlaceholders(params.variables, known, missing);
    var filledHeaders = fillPlaceholders(headers, known, missing);
    if (missing.length > 0) {
      return Promise.resolve({
        errors: [{ message: "Not sent: no value yet for " + missing.join(", ") }],
      });
    }
    var body = {
      query: params.query,
      operationName: params.operationName || undefined,
      variables: variables,
    };
    if (isSubscription(params, options)) {
      var streamOptions = Object.assign({}, options, { headers: filledHeaders });
      if (!streamOptions.documentAST) {
        streamOptions.documentAST = window.GraphiQL.GraphQL.parse(params.query);
      }
      return streamFetcher(body, streamOptions);
    }
    return postJson(body, filledHeaders, audience);
  }

  // Beside the tabs, where GraphiQL's logo sits: who the active tab runs as.
  function ActiveAudience() {
    var editor = window.GraphiQL.React.useEditorContext({ nonNull: true });
    var tab = editor.tabs[editor.activeTabIndex];
    var headers = null;
    try {
      headers = tab && tab.headers ? JSON.parse(tab.headers) : null;
    } catch (e) {
      headers = null;
    }
    var signedIn = audienceOf(headers) === "signedIn";
    return h(
      "span",
      {
        className: "checkout-flow-audience",
        "data-audience": signedIn ? "signedIn" : "guest",
        title: signedIn
          ? "This tab sends " + TOKEN_HEADER + " with the token of the last SignIn answer"
          : "This tab sends no " + TOKEN_HEADER,
      },
      signedIn ? "Signed in" : "Guest"
    );
  }

  // GraphiQL's own storage API over sessionStorage, under a name that changes with the
  // flow, so a new flow opens fresh tabs and nothing outlives the browser tab.
  function sessionStore(namespace) {
    var prefix = namespace + ":";
    function ownKeys() {
      var keys = [];
      for (var i = 0; i < window.sessionStorage.length; i++) {
        var key = window.sessionStorage.key(i);
        if (key && key.indexOf(prefix) === 0) keys.push(key);
      }
      return keys;
    }
    return {
      getItem: function (key) { return window.sessionStorage.getItem(prefix + key); },
      setItem: function (key, value) { window.sessionStorage.setItem(prefix + key, value); },
      removeItem: function (key) { window.sessionStorage.removeItem(prefix + key); },
      clear: function () { ownKeys().forEach(function (k) { window.sessionStorage.removeItem(k); }); },
      get length() { return ownKeys().length; },
    };
  }

  var tabs = config.tabs.map(function (tab) {
    return { query: tab.query, variables: tab.variables, headers: tab.headers };
  });
  var firstTab = tabs[0] || { query: "", variables: null, headers: null };
  var root = window.ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    h(
      window.GraphiQL,
      {
        fetcher: fetcher,
        defaultTabs: tabs,
        // The first tab's contents: on a reload GraphiQL selects the saved tab that matches
        // them rather than adding a new one.
        query: firstTab.query,
        variables: firstTab.variables || undefined,
        headers: firstTab.headers || undefined,
        storage: sessionStore(config.storageNamespace),
        // Headers hold the token's placeholder, not the token; kept for the browser tab only.
        shouldPersistHeaders: true,
        defaultEditorToolsVisibility: "variables",
        plugins: [window.GraphiQLPluginExplorer.explorerPlugin()],
        isHeadersEditorEnabled: true,
        inputValueDeprecation: true,
      },
      h(window.GraphiQL.Logo, null, h(ActiveAudience))
    )
  );

  // Exposed for the browser tests and for curious newcomers in the console.
  window.checkoutFlow = {
    tabs: config.tabs,
    remembered: remembered,
    signedIn: function () { return shopperToken !== null; },
    fetcher: fetcher,
  };
})();
