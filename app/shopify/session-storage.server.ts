/**
 * Session storage with a short in-memory cache in front of Prisma. Every app-proxy request loads
 * the shop's offline session (authenticate.public.appProxy; webhooks did too until they were
 * received without the library, ADR 005); at hundreds of requests a second that one query was a
 * large share of the cost of answering.
 * Entries live 5 s and are dropped when this process stores or deletes a session, or when
 * Keepsake itself changes a shop's sessions (uninstall, scopes update: `forgetSessionsOf`).
 */
import type { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

const TTL_MS = 5_000;
const cache = new Map<string, { session: Session; expires: number }>();

export function forgetSessionsOf(shop: string): void {
  for (const [id, entry] of cache) if (entry.session.shop === shop) cache.delete(id);
}

export class CachedSessionStorage implements SessionStorage {
  constructor(private readonly inner: SessionStorage) {}

  async loadSession(id: string): Promise<Session | undefined> {
    const hit = cache.get(id);
    if (hit && hit.expires > Date.now()) return hit.session;
    const session = await this.inner.loadSession(id);
    if (session) cache.set(id, { session, expires: Date.now() + TTL_MS });
    else cache.delete(id);
    return session;
  }

  storeSession(session: Session): Promise<boolean> {
    cache.delete(session.id);
    return this.inner.storeSession(session);
  }

  deleteSession(id: string): Promise<boolean> {
    cache.delete(id);
    return this.inner.deleteSession(id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    for (const id of ids) cache.delete(id);
    return this.inner.deleteSessions(ids);
  }

  findSessionsByShop(shop: string): Promise<Session[]> {
    return this.inner.findSessionsByShop(shop);
  }
}
