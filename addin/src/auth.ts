// A token for the CaseDesk API.
// 1. Nested app authentication (MSAL.js createNestablePublicClientApplication) where the host
//    supports it (requirement set NestedAppAuth 1.1): silent first, then a popup.
// 2. Otherwise Office's own SSO (Office.auth.getAccessToken), which needs the manifest's
//    webApplicationInfo; both give a token whose audience is the CaseDesk API.
// MSAL keeps its cache in memory only: nothing is written to localStorage or sessionStorage.

import type { IPublicClientApplication } from "@azure/msal-browser";

export interface AuthConfig {
  clientId: string;
  authority: string;
  scopes: string[];
}

let nested: Promise<IPublicClientApplication> | null = null;

function supportsNestedAppAuth(): boolean {
  try {
    return Office.context.requirements.isSetSupported("NestedAppAuth", "1.1");
  } catch {
    return false;
  }
}

async function nestedToken(config: AuthConfig): Promise<string> {
  nested ??= import("@azure/msal-browser").then((msal) =>
    msal.createNestablePublicClientApplication({
      auth: { clientId: config.clientId, authority: config.authority },
      cache: { cacheLocation: "memoryStorage" },
    }),
  );
  const pca = await nested;
  const request = { scopes: config.scopes };
  try {
    return (await pca.acquireTokenSilent(request)).accessToken;
  } catch {
    return (await pca.acquireTokenPopup(request)).accessToken;
  }
}

export async function apiToken(config: AuthConfig): Promise<string> {
  if (supportsNestedAppAuth()) return nestedToken(config);
  return Office.auth.getAccessToken({ allowSignInPrompt: true, allowConsentPrompt: true });
}
