/**
 * Where the signed-in API token lives: sessionStorage (per tab, gone when it closes). A third-party iframe — the
 * view embedded in Genesys Cloud — may be denied storage altogether (Chromium with third-party cookies blocked
 * throws on any sessionStorage access), so the token then lives in memory for the life of the frame.
 */
let inMemory: string | null = null;

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function readToken(key: string): string | null {
  try {
    return storage()?.getItem(key) ?? inMemory;
  } catch {
    return inMemory;
  }
}

export function saveToken(key: string, token: string): void {
  inMemory = token;
  try {
    storage()?.setItem(key, token);
  } catch {
    // storage denied (third-party frame) or full: memory only
  }
}

export function clearToken(key: string): void {
  inMemory = null;
  try {
    storage()?.removeItem(key);
  } catch {
    // nothing stored there
  }
}
