import { parseSearchParams, type SearchRequest } from './search.js';

export type Route =
  | { readonly page: 'boards' }
  | { readonly page: 'board'; readonly boardId: string; readonly taskId: string | null }
  | { readonly page: 'search'; readonly request: SearchRequest };

/** `#/boards/<id>`, `#/boards/<id>/tasks/<taskId>` and `#/search?q=…`; anything else is the boards list. */
export function parseRoute(hash: string): Route {
  const search = /^#\/search\/?(?:\?(.*))?$/.exec(hash);
  if (search) return { page: 'search', request: parseSearchParams(new URLSearchParams(search[1] ?? '')) };
  const match = /^#\/boards\/([^/]+)(?:\/tasks\/([^/]+))?\/?$/.exec(hash);
  if (match?.[1] === undefined) return { page: 'boards' };
  return {
    page: 'board',
    boardId: decodeURIComponent(match[1]),
    taskId: match[2] === undefined ? null : decodeURIComponent(match[2]),
  };
}

export const boardHref = (boardId: string): string => `#/boards/${encodeURIComponent(boardId)}`;
export const taskHref = (boardId: string, taskId: string): string =>
  `${boardHref(boardId)}/tasks/${encodeURIComponent(taskId)}`;

/** The hash route as state; hash routing needs no server fallback and keeps asset URLs relative. */
export class Router {
  #hash = $state(location.hash);
  readonly route: Route = $derived(parseRoute(this.#hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.#hash = location.hash;
    });
  }

  go(href: string): void {
    location.hash = href.slice(1);
  }

  /** Changes the route without a history entry (search as you type, facet clicks). */
  replace(href: string): void {
    history.replaceState(history.state, '', href);
    this.#hash = location.hash;
  }
}
