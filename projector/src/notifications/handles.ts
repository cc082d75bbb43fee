/**
 * The `@handle` rule for mentions (docs/api.md "Notifications"). A board member answers to two handles:
 * the local part of their e-mail address (`ada.lovelace` for ada.lovelace@example.com) and their
 * display name with spaces and punctuation removed (`adalovelace` for "Ada Lovelace"); both
 * case-insensitive. A mention is `@` at the start of the text or after a character that cannot
 * be part of a word or address (so `bob@example.com` mentions nobody), then letters, digits and
 * `._+-`; trailing dots and dashes are punctuation, not part of the handle (`@ada.` is `ada`).
 * Only members of the board can be mentioned; a handle two members share mentions both.
 */

const handleCharacters = /[^\p{L}\p{N}._+-]/gu;
const mentionPattern = /(?:^|[^\p{L}\p{N}._+@-])@([\p{L}\p{N}][\p{L}\p{N}._+-]*)/gu;

const normalise = (text: string): string => text.normalize('NFC').toLowerCase();
const trimPunctuation = (handle: string): string => handle.replace(/[._+-]+$/u, '');

/** The handles a person answers to, lower case; empty ones dropped. */
export function handlesOf(person: { readonly email: string; readonly name: string }): string[] {
  const at = person.email.lastIndexOf('@');
  const local = at === -1 ? person.email : person.email.slice(0, at);
  const handles = [local, person.name].map((text) => trimPunctuation(normalise(text).replace(handleCharacters, '')));
  return [...new Set(handles.filter((handle) => handle.length > 0))];
}

/** The handles a text mentions, lower case, each once. */
export function mentionedHandles(text: string): Set<string> {
  const found = new Set<string>();
  for (const match of normalise(text).matchAll(mentionPattern)) {
    const handle = trimPunctuation(match[1] ?? '');
    if (handle.length > 0) found.add(handle);
  }
  return found;
}
