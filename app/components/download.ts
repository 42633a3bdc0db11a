/**
 * Saves a file an admin route answers (a CSV export) in the browser. Through fetch, because App Bridge
 * adds the session token to fetch requests; a plain link would not carry it. Answers whether the file
 * came (a 4xx/5xx answer saves nothing).
 */
export async function downloadFile(url: string, fileName: string): Promise<boolean> {
  const response = await fetch(url);
  if (!response.ok) return false;
  await saveResponse(response, fileName);
  return true;
}

/** Saves a successful answer's body as `fileName` (for callers that read a failed answer themselves). */
export async function saveResponse(response: Response, fileName: string): Promise<void> {
  const href = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = href;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(href);
}
