/** The languages the assistant answers in. */
import type { Language } from '../domain/language.ts';

export type { Language };

const HANGUL = /[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]/u;
const ENGLISH_WORD = /^[A-Za-z][a-z]+[.,!?'"]*$/;
/** Words that are the same in a Korean question about APIs. */
const TECHNICAL = new Set(['api', 'apis', 'get', 'post', 'put', 'patch', 'delete', 'http', 'https', 'url', 'json', 'id', 'ip', 'ms']);

/**
 * Korean when Korean words make up a fair share of the words. Korean questions about APIs are
 * full of routes, methods and metric names ("GET /api/users/:id p95가 왜 높아?"), so those are
 * not counted as English, and Korean need not be the majority.
 */
export function detectLanguage(text: string): Language {
  let korean = 0;
  let english = 0;
  for (const word of text.split(/\s+/)) {
    if (HANGUL.test(word)) korean += 1;
    else if (ENGLISH_WORD.test(word) && !TECHNICAL.has(word.replace(/[^A-Za-z]/g, '').toLowerCase())) english += 1;
  }
  return korean > 0 && korean * 2 >= english ? 'ko' : 'en';
}
