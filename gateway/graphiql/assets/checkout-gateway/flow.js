// checkout-gateway's GraphiQL start-up: opens the checkout flow in the editor and lets a
// newcomer run it by clicking through the operations in order. Served from our own origin
// under a strict CSP, so no inline code: the page hands us its settings as a JSON data block.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("checkout-flow-config").textContent);
  // Ids learnt from earlier results; sessionStorage so they last as long as the tab.
  var STORE_KEY = "checkout-gateway.flow";

  function remembered() {
    try {
      return JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "{}");
    } catch (e) {
      return {};
    }
  }

  function remember(found) {
    var values = remembered();
    Object.keys(found).forEach(function (key) {
      if (found[key] !== undefined && found[key] !== null) values[key] = String(found[key]);
    });
    window.sessionStorage.setItem(STORE_KEY, JSON.stringify(values));
  }

  function newIdempotencyKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) { return b.toString(16).padStart(2, "0"); })
      .join("");
  }

  // Names of the operations defined in a document (comments stripped first, since the
  // flow's comments mention words like "query").
  function operationNames(source) {
    var names = [];
    var text = String(source || "").replace(/#[^\n\r]*/g, "");
    var pattern = /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/g;
    var match;
    while ((match = pattern.exec(text)) !== null) names.push(match[1]);
    return names;
  }

  function isPlainObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  // Operations the example variables leave out: the Checkout query's id is the cart id.
  var UNLISTED = { Checkout: { id: "<cart id>" } };

  // The editor holds one variables object keyed by operation name (each mutation's $input
  // has its own type); send only the running operation's part (SignOut and Shopper have none).
  function variablesFor(operationName, variables, query) {
    if (!operationName || !isPlainObject(variables)) return variables;
    var names = operationNames(query);
    var keys = Object.keys(variables);
    var keyedByOperation =
      keys.length > 0 && keys.every(function (key) { return names.indexOf(key) !== -1; });
    if (!keyedByOperation) return variables;
    if (keys.indexOf(operationName) !== -1) return variables[operationName];
    return UNLISTED[operationName] || {};
  }

  // Replace "<cart id>"-style placeholders with what earlier results taught us. Returns the
  // filled value and the placeholders we could not fill yet.
  function fillPlaceholders(value, known, missing) {
    if (typeof value === "string") {
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
  function learnFrom(data) {
    if (!isPlainObject(data)) return;
    var found = {};
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
    }
    // A signed-in shopper's instruments for the order (Shopper.storedInstruments(orderId)).
    var stored = data.shopper && first(data.shopper.storedInstruments);
    if (stored) {
      found.storedToken = stored.token;
      found.storedPaymentMethodId = stored.paymentMethodId;
    }
    remember(found);
  }

  function requestHeaders(extra) {
    var headers = { "content-type": "application/json", accept: "application/json" };
    var csrfToken = window.Cookies && window.Cookies.get("csrftoken");
    if (csrfToken) headers["x-csrftoken"] = csrfToken;
    Object.keys(extra || {}).forEach(function (key) { headers[key] = extra[key]; });
    return headers;
  }

  // Whether the operation to run is a subscription (the named one, or the only one).
  function isSubscription(source, operationName) {
    var pattern = /^\s*(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/gm;
    var match;
    var kinds = [];
    while ((match = pattern.exec(String(source || ""))) !== null) {
      if (!operationName || match[2] === operationName) kinds.push(match[1]);
    }
    return kinds.length === 1 && kinds[0] === "subscription";
  }

  // A subscription over HTTP multipart (what Apollo Client's HttpLink speaks): each part's
  // payload is a result; "{}" parts are heartbeats; "--graphql--" ends the stream. GraphiQL
  // shows each result as it comes (the fetcher returns an async iterable).
  async function* multipartResults(response) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    var delimiter = "\r\n--graphql";
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true });
      var at;
      while ((at = buffer.indexOf(delimiter)) >= 0) {
        var part = buffer.slice(0, at);
        buffer = buffer.slice(at + delimiter.length);
        var body = part.slice(part.indexOf("\r\n\r\n") + 4);
        if (part.indexOf("\r\n\r\n") < 0 || !body.trim()) continue;
        var message = JSON.parse(body);
        if (message.payload) {
          if (message.payload.data) learnFrom(message.payload.data);
          yield message.payload;
        } else if (message.errors) {
          yield { errors: message.errors };
        }
      }
      if (buffer.indexOf("--") === 0) return;
    }
  }

  function subscribe(body, options) {
    var headers = requestHeaders(options && options.headers);
    headers.accept = 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0",application/json';
    return window
      .fetch(config.endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: headers,
        body: JSON.stringify(body),
      })
      .then(function (response) {
        var type = response.headers.get("content-type") || "";
        if (type.indexOf("multipart/mixed") === 0) return multipartResults(response);
        return response.json();
      });
  }

  function fetcher(params, options) {
    var body = {
      query: params.query,
      operationName: params.operationName || undefined,
      variables: variablesFor(params.operationName, params.variables, params.query),
    };
    var missing = [];
    body.variables = fillPlaceholders(body.variables, remembered(), missing);
    if (missing.length > 0) {
      return Promise.resolve({
        errors: [{ message: "Not sent: no value yet for " + missing.join(", ") }],
      });
    }
    if (isSubscription(params.query, params.operationName)) return subscribe(body, options);
    return window
      .fetch(config.endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: requestHeaders(options && options.headers),
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
        if (result && result.data) learnFrom(result.data);
        return result;
      });
  }

  var root = window.ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      query: config.operations,
      variables: JSON.stringify(config.variables, null, 2),
      defaultEditorToolsVisibility: "variables",
      plugins: [window.GraphiQLPluginExplorer.explorerPlugin()],
      isHeadersEditorEnabled: true,
      inputValueDeprecation: true,
    })
  );

  // Exposed for the browser smoke test and for curious newcomers in the console.
  window.checkoutFlow = { variablesFor: variablesFor, remembered: remembered, fetcher: fetcher };
})();
