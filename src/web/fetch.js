// Fetching the model files for `ImageStudio.open`, with progress. The browser's HTTP cache
// keeps them between visits (a host should send them with a validator, ETag or Last-Modified,
// so a changed file is fetched again).

/// The bytes at `url`, calling `onProgress(loaded, total)` as they arrive (when given; `total`
/// is the Content-Length, 0 when the server sends none, and counts compressed bytes when the
/// server compresses, so `loaded` may pass it).
export async function fetchBytes(url, onProgress) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`could not fetch ${url}: ${e.message}`);
  }
  if (!response.ok) {
    throw new Error(`could not fetch ${url}: the server answered ${response.status} ${response.statusText}`);
  }
  if (!response.body || !onProgress) return new Uint8Array(await response.arrayBuffer());
  const total = Number(response.headers.get("content-length")) || 0;
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress(loaded, total);
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}
