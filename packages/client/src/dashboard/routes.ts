// Maps a request URL to one of the dashboard's routes, relative to the mount point.

export type Route = 'page' | 'stream' | 'snapshot' | undefined;

/**
 * `basePath` ('' or '/x') is stripped when present; a URL outside it is not ours. Express has
 * already stripped its mount path from req.url, so mounted there basePath stays ''.
 */
export function matchRoute(url: string | undefined, basePath: string): Route {
  let path = url ?? '/';
  const q = path.search(/[?#]/);
  if (q >= 0) path = path.slice(0, q);
  if (basePath !== '') {
    if (path === basePath) path = '/';
    else if (path.startsWith(basePath) && path.charCodeAt(basePath.length) === 47 /* / */) {
      path = path.slice(basePath.length);
    } else return undefined;
  }
  switch (path) {
    case '':
    case '/':
    case '/index.html':
      return 'page';
    case '/stream':
      return 'stream';
    case '/snapshot.json':
      return 'snapshot';
    default:
      return undefined;
  }
}
