import unhomoglyph from 'unhomoglyph';
import { nameKey } from '@ciao/protocol';

// The look-alike rule is the server's (PROTOCOL.md "Names and text"): its table lives here,
// not in the protocol package, so the client does not load it at every start.

/**
 * The keys under which a name may be mistaken for another (UTS #39 confusable skeletons, via
 * the maintained `unhomoglyph` table): the skeleton of the name as written, so Greek `ΑΒ` meets
 * Latin `AB`, and of its case-folded key, so Cyrillic `аlice` meets `Alice`. Two present names
 * may share no key.
 */
export function nameSkeletons(name: string): readonly [string, string] {
  return [skeleton(name.normalize('NFKC')), skeleton(nameKey(name))];
}

function skeleton(text: string): string {
  return unhomoglyph(text.normalize('NFD')).normalize('NFD');
}
