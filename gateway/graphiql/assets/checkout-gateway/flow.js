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

  // The subscription operations of a document, cut out of the text sent with a query or a
  // mutation: until orderStatusChanged lands the schema has no Subscription type, and one
  // operation it cannot validate would fail the whole document (every step of the flow).
  function withoutSubscriptions(source, operationName) {
    var text = String(source || "");
    var pattern = /^subscription\b/m;
    var kept = "";
    var match;
    while ((match = pattern.exec(text)) !== null) {
      var open = text.indexOf("{", match.index);
      if (open === -1) break;
      var depth = 0;
      var end = open;
      for (; end < text.length; end++) {
        if (text[end] === "{") depth++;
        else if (text[end] === "}" && --depth === 0) break;
      }
      var name = /^subscription\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(text.slice(match.index));
      if (name && name[1] === operationName) return source;  // running a subscription
      kept += text.slice(0, match.index);
      text = text.slice(end + 1);
    }
    return kept + text;
  }

  function fetcher(params, options) {
    var body = {
      query: withoutSubscriptions(params.query, params.operationName),
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
