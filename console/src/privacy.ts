// The privacy page's rules: the typed confirmation of an erasure and the download link.

/** The erasure is confirmed by typing the phone number exactly (spaces aside), as the API wants. */
export function erasureConfirmed(phoneNumber: string, typed: string): boolean {
  const want = phoneNumber.replace(/\s+/g, '');
  return want.length > 0 && typed.replace(/\s+/g, '') === want;
}

/**
 * compliance signs export links on its configured public base (PUBLIC_DOWNLOAD_BASE_URL); the
 * console opens them through its own origin's `/downloads/` (the gateway's proxy), whatever host
 * the base names. Anything not under /downloads/ is not a link the console opens.
 */
export function consoleDownloadPath(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://console.invalid');
  } catch {
    return null;
  }
  return parsed.pathname.startsWith('/downloads/') ? parsed.pathname + parsed.search : null;
}
