/**
 * Finds environment variables that look like a misspelt setting: a setting that is misspelt is not read, so the
 * service would run on that setting's default without a word. Pure functions; app-config.ts hands in the setting
 * names (the keys of its schema).
 */

/** A variable that is not a setting but looks like one, and the setting it probably meant. */
export interface SuspectSetting {
  name: string;
  meant: string;
}

/**
 * Edit distance counting an insertion, a deletion, a substitution or a swap of two neighbouring characters as one
 * edit (Damerau-Levenshtein, "optimal string alignment" form: no substring is edited twice). Typed names go wrong
 * mostly in those four ways, a swap ("REDIS_ULR") included, which plain Levenshtein would count as two. Written
 * here because the Levenshtein package the project already has (fastest-levenshtein) has no swap.
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: distance between the first i characters of a and the first j of b.
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i].push(d);
    }
  }
  return rows[a.length][b.length];
}

/**
 * How many edits still count as a misspelling: two for names of six characters or more, one for shorter ones (two
 * edits turn HOME into HOST, and HOME is not a misspelling). Measured on the shorter of the two names.
 */
function maxEdits(a: string, b: string): number {
  return Math.min(a.length, b.length) >= 6 ? 2 : 1;
}

/**
 * Variables that other software sets and that are never a setting of ours, although some look like one. Most are
 * here for the reader: only those near a setting's name or with one of our prefixes could be reported at all.
 */
const FOREIGN_NAMES = new Set([
  // POSIX shells and login
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'PWD',
  'OLDPWD',
  'TERM',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'SHLVL',
  '_',
  // Docker and most container platforms
  'HOSTNAME',
  'PORT',
  // Node.js, npm and the node Docker image
  'NODE',
  'NODE_OPTIONS',
  'NODE_PATH',
  'NODE_EXTRA_CA_CERTS',
  'NODE_DEBUG',
  'NODE_VERSION',
  'YARN_VERSION',
  'INIT_CWD',
  // X11 and desktop sessions (SESSION_ is one of our prefixes)
  'SESSION_MANAGER',
  // autoconf (two edits from CONFIG_FILE)
  'CONFIG_SITE',
]);

/** Families of foreign variables: Kubernetes' own, npm's (lower and upper case), the locale's. */
const FOREIGN_PREFIXES = ['KUBERNETES_', 'npm_', 'NPM_', 'LC_'];

/**
 * The variables Kubernetes (and Docker's legacy links) set for every service in the namespace: a service named
 * "redis" gives REDIS_SERVICE_HOST, REDIS_SERVICE_PORT, REDIS_PORT=tcp://…, REDIS_PORT_6379_TCP and its _PROTO,
 * _PORT and _ADDR. They share our prefixes whenever a service is named like one (redis, database, events…).
 */
function isServiceLink(name: string, value: string | undefined): boolean {
  if (/^[A-Z0-9_]+_SERVICE_(HOST|PORT(_[A-Z0-9_]+)?)$/.test(name)) return true;
  if (/^[A-Z0-9_]+_PORT_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?$/.test(name)) return true;
  return /^[A-Z0-9_]+_PORT$/.test(name) && /^(tcp|udp|sctp):\/\//.test(value ?? '');
}

/**
 * First words that our settings share with foreign conventions, so that a variable starting with them is not ours
 * by its shape alone (it is still compared by edit distance): NODE_ (Node.js reads a dozen NODE_* variables),
 * HTTP_ (HTTP_PROXY, and CGI's HTTP_* request headers).
 */
const SHARED_FIRST_WORDS = new Set(['NODE', 'HTTP']);

export interface SuspectOptions {
  /** Names to leave alone (the CONFIG_IGNORE_VARIABLES setting). */
  ignore?: readonly string[];
}

/**
 * The setting `name` probably meant, or undefined when it does not look like one. `name` looks like a setting when,
 * compared in upper case, it is within maxEdits() of a setting's name (the nearest one is meant), or it starts with
 * the first word of a setting of two words or more, such as DATABASE_ or REDIS_ (then the setting of that word
 * sharing most words with it is meant, the nearest of those: PUBLIC_URL means PUBLIC_BASE_URL). Setting names
 * themselves are not suspects.
 */
export function probableSetting(name: string, settings: readonly string[]): string | undefined {
  if (settings.includes(name)) return undefined;
  const upper = name.toUpperCase();
  const ownWords = new Set(upper.split('_'));
  let nearest: { setting: string; edits: number } | undefined;
  let likeliestOfWord: { setting: string; shared: number; edits: number } | undefined;
  for (const setting of settings) {
    const edits = editDistance(upper, setting);
    if (edits <= maxEdits(upper, setting) && (!nearest || edits < nearest.edits)) nearest = { setting, edits };
    const words = setting.split('_');
    if (words.length > 1 && !SHARED_FIRST_WORDS.has(words[0]) && upper.startsWith(`${words[0]}_`)) {
      const shared = words.filter((w) => ownWords.has(w)).length;
      const best = likeliestOfWord;
      if (!best || shared > best.shared || (shared === best.shared && edits < best.edits)) likeliestOfWord = { setting, shared, edits };
    }
  }
  return (nearest ?? likeliestOfWord)?.setting;
}

/** The variables in `env` that look like misspelt settings, in the order of `env`. */
export function findSuspectSettings(env: Record<string, string | undefined>, settings: readonly string[], options: SuspectOptions = {}): SuspectSetting[] {
  const ignore = new Set(options.ignore ?? []);
  const suspects: SuspectSetting[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (ignore.has(name) || FOREIGN_NAMES.has(name) || FOREIGN_PREFIXES.some((p) => name.startsWith(p))) continue;
    if (isServiceLink(name, value)) continue;
    const meant = probableSetting(name, settings);
    if (meant) suspects.push({ name, meant });
  }
  return suspects;
}

export function describeSuspect({ name, meant }: SuspectSetting): string {
  return `${name} is not a setting; did you mean ${meant}?`;
}
