/**
 * Splits a SQL script (a migration file) into its statements, without their trailing `;`,
 * skipping empty ones. Semicolons inside comments (`--`, nested block comments), string
 * literals ('…' with '' escapes, E'…' with backslash escapes), quoted identifiers and
 * dollar-quoted bodies do not split. Comments stay with the statement they precede.
 *
 * Why not send the file as one query: Citus propagates some DDL (ALTER TABLE, DROP INDEX on a
 * distributed table) to its workers as the original query string, and a worker refuses a string
 * of several commands ("cannot insert multiple commands into a prepared statement").
 */
export function splitSqlStatements(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const n = script.length;
  while (i < n) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        const opens = script.startsWith('/*', i);
        const closes = script.startsWith('*/', i);
        if (opens) depth++;
        if (closes) depth--;
        i += opens || closes ? 2 : 1;
      }
    } else if (c === "'") {
      const backslashEscapes = /[eE]/.test(script[i - 1] ?? '') && !/[\w$]/.test(script[i - 2] ?? '');
      i++;
      while (i < n) {
        if (backslashEscapes && script[i] === '\\') i += 2;
        else if (script[i] === "'" && script[i + 1] === "'") i += 2;
        else if (script[i] === "'") break;
        else i++;
      }
      i++;
    } else if (c === '"') {
      const end = script.indexOf('"', i + 1);
      i = end === -1 ? n : end + 1;
    } else if (c === '$' && !/[\w$]/.test(script[i - 1] ?? '')) {
      const tag = /^\$(?:[A-Za-z_][\w]*)?\$/.exec(script.slice(i))?.[0];
      if (tag) {
        const end = script.indexOf(tag, i + tag.length);
        i = end === -1 ? n : end + tag.length;
      } else i++;
    } else if (c === ';') {
      statements.push(script.slice(start, i));
      i++;
      start = i;
    } else i++;
  }
  statements.push(script.slice(start));
  return statements.map((s) => s.trim()).filter((s) => withoutComments(s).trim() !== '');
}

function withoutComments(statement: string): string {
  return statement.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}
