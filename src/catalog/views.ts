import type { DeclaredEventType } from '../store/ledger';
import type { DeclaredEventTypeView, EventTypeEntry } from './model';

/** A declared type as the API shows it; `lastSeenAt` as far as the caller may see (its tenant's and broadcasts'). */
export function declaredView(entry: DeclaredEventType, lastSeenAt: string | null): DeclaredEventTypeView {
  const { version: _, ...shown } = entry;
  return { ...shown, lastSeenAt };
}

/**
 * The catalog a caller reads: the types seen (most recent first, as before the catalog existed),
 * declared ones carrying their declaration, then the declared types not seen yet, by name.
 */
export function mergedCatalog(seen: { type: string; lastSeenAt: string }[], declared: DeclaredEventType[]): EventTypeEntry[] {
  const byType = new Map(declared.map((d) => [d.type, d]));
  const seenTypes = new Set(seen.map((s) => s.type));
  const fromSeen = seen.map(({ type, lastSeenAt }): EventTypeEntry => {
    const entry = byType.get(type);
    return entry ? { ...declaredView(entry, lastSeenAt), declared: true } : { type, lastSeenAt, declared: false };
  });
  const unseen = declared.filter((d) => !seenTypes.has(d.type)).map((d): EventTypeEntry => ({ ...declaredView(d, null), declared: true }));
  return [...fromSeen, ...unseen];
}
