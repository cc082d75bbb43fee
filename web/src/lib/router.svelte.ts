export type Route =
  { readonly page: 'boards' } | { readonly page: 'board'; readonly boardId: string; readonly taskId: string | null };

/** `#/boards/<id>` and `#/boards/<id>/tasks/<taskId>`; anything else is the boards list. */
export function parseRoute(hash: string): Route {
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
}
