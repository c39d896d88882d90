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
        // Mailbox sets yes; NestedAppAuth no, so the pane uses Office SSO (getAccessToken).
        isSetSupported: (name) => name === "Mailbox",
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
