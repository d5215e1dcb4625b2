// A sub-request like any app makes: never a page view, never gets cookies.
fetch('/api/ping').catch(() => {});
