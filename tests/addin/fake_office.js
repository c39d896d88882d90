// A stand-in for Office.js (appsforoffice.microsoft.com/lib/1.1/hosted/office.js) in browser
// tests: the test answers the CDN URL with this file. It implements only what the pane calls,
// with the shapes of the Office.js reference (AsyncResult {status, value, error}; enums as
// strings). The scenario comes from window.__fakeOfficeScenario, set before the page loads;
// every call the pane makes is recorded in window.__officeCalls for the test to read.
(() => {
  const scenario = window.__fakeOfficeScenario || { mode: "none" };
  const calls = [];
  window.__officeCalls = calls;
  const succeeded = (value) => ({ status: "succeeded", value, error: null });

  const readItem = {
    itemType: "message",
    itemId: scenario.itemId || "AAMkAGI2TG93AAA=",
    internetMessageId: scenario.internetMessageId,
    subject: scenario.subject || "",
    displayReplyForm(formData) {
      calls.push(["displayReplyForm", formData]);
    },
    // Mailbox 1.14: the message as Base64 EML (the scenario's bytes, already Base64).
    getAsFileAsync(callback) {
      calls.push(["getAsFileAsync"]);
      callback(succeeded(scenario.eml || ""));
    },
  };
  const composeItem = {
    itemType: "message",
    to: {
      getAsync(callback) {
        callback(succeeded(scenario.to ? [{ emailAddress: scenario.to, displayName: "" }] : []));
      },
    },
    subject: {
      getAsync(callback) {
        callback(succeeded(scenario.subject || ""));
      },
    },
    body: {
      setSelectedDataAsync(data, options, callback) {
        calls.push(["setSelectedDataAsync", data, options]);
        callback(succeeded(undefined));
      },
    },
  };

  // Nested app authentication: where the scenario says the host supports it, a stand-in for
  // the host's broker, window.nestedAppAuthBridge, answering MSAL.js's bridge requests
  // (GetInitContext, GetToken, GetTokenPopup) with the envelope shapes in msal-browser's
  // src/naa (BridgeRequestEnvelope / BridgeResponseEnvelope, TokenResponse, AccountInfo).
  if (scenario.naa) {
    const listeners = [];
    const b64url = (obj) => btoa(JSON.stringify(obj)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const now = Math.floor(Date.now() / 1000);
    const idClaims = {
      aud: scenario.naa.clientId, iss: `https://login.microsoftonline.com/${scenario.naa.tenantId}/v2.0`,
      iat: now, nbf: now, exp: now + 3600, name: "Jo Price", oid: scenario.naa.oid,
      preferred_username: "jo.price@parliament.example", sub: "jo", tid: scenario.naa.tenantId, ver: "2.0",
    };
    const idToken = `${b64url({ alg: "RS256", typ: "JWT" })}.${b64url(idClaims)}.c2ln`;
    const account = {
      homeAccountId: `${scenario.naa.oid}.${scenario.naa.tenantId}`, environment: "login.microsoftonline.com",
      tenantId: scenario.naa.tenantId, username: "jo.price@parliament.example",
      localAccountId: scenario.naa.oid, name: "Jo Price", idTokenClaims: idClaims,
    };
    window.__bridgeRequests = [];
    window.nestedAppAuthBridge = {
      addEventListener(name, callback) {
        if (name === "message") listeners.push(callback);
      },
      removeEventListener() {},
      postMessage(message) {
        const request = JSON.parse(message);
        window.__bridgeRequests.push({ method: request.method, tokenParams: request.tokenParams || null });
        const answer = { messageType: "NestedAppAuthResponse", requestId: request.requestId, success: true };
        if (request.method === "GetInitContext") {
          answer.initContext = { sdkName: "casedesk-test-host", sdkVersion: "1.0.0", capabilities: {} };
        } else {
          answer.token = {
            access_token: scenario.token, expires_in: 3600, id_token: idToken, properties: null,
            scope: request.tokenParams.scope,
          };
          answer.account = account;
        }
        setTimeout(() => listeners.forEach((listener) => listener(JSON.stringify(answer))), 0);
      },
    };
  }

  window.Office = {
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    CoercionType: { Text: "text", Html: "html" },
    EventType: { ItemChanged: "olkItemSelectedChanged" },
    MailboxEnums: { RestVersion: { v1_0: "v1.0", v2_0: "v2.0", Beta: "beta" } },
    onReady(callback) {
      const info = { host: "Outlook", platform: "OfficeOnline" };
      return new Promise((resolve) =>
        setTimeout(() => {
          if (callback) callback(info);
          resolve(info);
        }, 0),
      );
    },
    auth: {
      async getAccessToken(options) {
        calls.push(["getAccessToken", options]);
        return scenario.token;
      },
    },
    context: {
      requirements: {
        // Mailbox sets yes; NestedAppAuth only when the scenario gives the host a broker,
        // otherwise the pane falls back to Office SSO (getAccessToken).
        // Mailbox 1.14 (getAsFileAsync) only when the scenario says so ("mailbox": "1.13" is an
        // older Outlook, which makes the pane ask CaseDesk to fetch the message itself).
        isSetSupported: (name, version) =>
          (name === "Mailbox" && (!version || Number(version.split(".")[1]) <= Number((scenario.mailbox || "1.14").split(".")[1]))) ||
          (name === "NestedAppAuth" && Boolean(scenario.naa)),
      },
      mailbox: {
        userProfile: { emailAddress: "jo.price@parliament.example", displayName: "Jo Price" },
        item: scenario.mode === "read" ? readItem : scenario.mode === "compose" ? composeItem : null,
        convertToRestId(itemId, version) {
          calls.push(["convertToRestId", itemId, version]);
          return itemId.replace(/\//g, "-").replace(/\+/g, "_");
        },
        addHandlerAsync(eventType) {
          calls.push(["addHandlerAsync", eventType]);
        },
      },
    },
  };
})();
