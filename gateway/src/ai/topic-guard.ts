import type { Language } from './language.ts';

/**
 * A cheap topic classifier run before any model call: the assistant only discusses the
 * monitored API's logs (traffic, errors, latency, endpoints, incidents). It counts on-topic and
 * off-topic cues in English and Korean; the system prompt is the second line of defence for
 * what slips through.
 */
export type TopicVerdict = 'on-topic' | 'off-topic' | 'greeting';

const ON_TOPIC: RegExp[] = [
  /\bapis?\b/i,
  /\bend-?points?\b/i,
  /\broutes?\b/i,
  /\bpaths?\b/i,
  /\burls?\b/i,
  /\brequests?\b/i,
  /\breqs?\b/i,
  /\btraffic\b/i,
  /\bthroughput\b/i,
  /\b[rq]ps\b/i,
  /\blatenc(y|ies)\b/i,
  /\bslow(est|er|ly|ness)?\b/i,
  /\bfast(est|er)?\b/i,
  /\bresponse times?\b/i,
  /\bp(50|90|95|99)\b/i,
  /\bpercentiles?\b/i,
  /\berrors?\b/i,
  /\bfail(ure|ures|ing|ed|s)?\b/i,
  /\bstatus(es)?\b/i,
  /\b[1-5]xx\b/i,
  /\b(200|201|204|301|302|304|400|401|403|404|405|408|409|422|429|500|501|502|503|504)\b/,
  /\bexceptions?\b/i,
  /\btime-?outs?\b/i,
  /\blogs?\b/i,
  /\bincidents?\b/i,
  /\b(alerts?|alerting|firing|fired|alarms?|pag(ed|ing))\b/i,
  /\boutages?\b/i,
  /\banomal(y|ies|ous)\b/i,
  /\bspikes?\b/i,
  /\bbursts?\b/i,
  /\bbottlenecks?\b/i,
  /\bperformance\b/i,
  /\bperf\b/i,
  /\bhealth(y)?\b/i,
  /\buptime\b/i,
  /\bavailability\b/i,
  /\bservers?\b/i,
  /\bservices?\b/i,
  /\bbusiest\b/i,
  /\bbusy\b/i,
  /\bmost (called|used|requested|popular|hit)\b/i,
  /\bhits?\b/i,
  /\bload\b/i,
  /\bpeaks?\b/i,
  /\bdegrad(ed|ation)\b/i,
  /\bregress(ion|ed)?\b/i,
  /\bwhat happened\b/i,
  /\b(wrong|problems?|issues?|broken|going on|happening|unusual|overview|summary|summari[sz]e|report|analy[sz]e|analysis|insights?)\b/i,
  /\bclients?\b/i,
  /\buser[- ]agents?\b/i,
  /\bips?\b/i,
  /\bbots?\b/i,
  /\bscanners?\b/i,
  /\bcach(e|ing)\b/i,
  /\brate[- ]limit/i,
  /\bpaginat/i,
  /\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/,
  /(^|\s)\/[\w:.-]+/,
  /\b\d{1,2}:\d{2}\b/,
  /알림|알람|경보|엔드포인트|경로|라우트|요청|트래픽|처리량|지연|레이턴시|느린|느려|느림|빠른|응답|에러|오류|실패|장애|상태\s*코드|상태|로그|이상|급증|스파이크|병목|성능|서버|서비스|호출|가장\s*많이|무슨\s*일|타임아웃|시간\s*초과|클라이언트|봇|캐시|부하|피크|요약|분석|원인|개선/,
  /\d{1,2}\s*시\s*\d{1,2}\s*분/,
];

/** Requests for creative writing: refused whatever they are about ("a poem about my 500s"). */
const CREATIVE: RegExp[] = [
  /\bpoe(m|ms|try)\b/i,
  /\bhaikus?\b/i,
  /\bsongs?\b/i,
  /\blyrics\b/i,
  /\bstor(y|ies)\b/i,
  /\bnovels?\b/i,
  /\bjokes?\b/i,
  /\bessays?\b/i,
  /\blove letter\b/i,
  /시를|시\s*한\s*편|시\s*(좀\s*)?(써|지어)|노래|가사|소설|이야기\s*(좀\s*)?(써|지어)|농담|유머/,
];

/** Other subjects: off-topic unless the message is clearly about the API as well. */
const OFF_TOPIC: RegExp[] = [
  /\brecipes?\b/i,
  /\bcook(ing)?\b/i,
  /\bweather\b/i,
  /\bforecast\b/i,
  /\bmovies?\b/i,
  /\bfilms?\b/i,
  /\bsports?\b/i,
  /\bfootball\b/i,
  /\bsoccer\b/i,
  /\bstock prices?\b/i,
  /\bbitcoin\b/i,
  /\bcrypto(currency)?\b/i,
  /\bhoroscope\b/i,
  /\btranslate\b/i,
  /\bhomework\b/i,
  /\bcapital of\b/i,
  /\bpresident\b/i,
  /\bwho won\b/i,
  /\bmeaning of life\b/i,
  /레시피|요리|날씨|기온|영화|스포츠|축구|야구|주식|비트코인|운세|번역|숙제|대통령|연애/,
];

const GREETING =
  /^\s*(hi|hello|hey|help|thanks|thank you|what can you do\??|안녕(하세요)?|도움말|고마워(요)?|감사합니다|뭘 할 수 있어\??)[\s!.?]*$/i;

function count(patterns: RegExp[], text: string): number {
  return patterns.reduce((n, p) => n + (p.test(text) ? 1 : 0), 0);
}

/**
 * Creative-writing requests are always off-topic. Otherwise off-topic when an off-topic cue is present and the message is not clearly about the API (a
 * question about a `/api/weather` endpoint's latency has two on-topic cues and passes). With no
 * cue at all, a follow-up in an existing conversation passes ("and why?"); a first message does
 * not.
 */
export function classifyTopic(message: string, options: { hasHistory: boolean }): TopicVerdict {
  if (GREETING.test(message)) return 'greeting';
  if (count(CREATIVE, message) > 0) return 'off-topic';
  const on = count(ON_TOPIC, message);
  const off = count(OFF_TOPIC, message);
  if (off > 0 && on < 2) return 'off-topic';
  if (on > 0) return 'on-topic';
  return options.hasHistory ? 'on-topic' : 'off-topic';
}

const EXAMPLES: Record<Language, string> = {
  en: '"Which endpoint is slowest?", "What is the error rate now?", "What happened at 14:05?", "What are the top errors?", "Which endpoint is busiest?"',
  ko: '"가장 느린 엔드포인트는?", "지금 에러율은?", "14:05에 무슨 일이 있었어?", "가장 많은 에러는?", "가장 많이 호출된 엔드포인트는?"',
};

/** The polite refusal, in the user's language. */
export function refusalText(language: Language): string {
  return language === 'ko'
    ? `죄송하지만 저는 이 API의 로그(트래픽, 에러, 지연 시간, 엔드포인트, 장애)에 관한 질문에만 답할 수 있어요. 예를 들어 이렇게 물어보세요: ${EXAMPLES.ko}`
    : `Sorry, I can only help with questions about this API's logs: traffic, errors, latency, endpoints and incidents. For example, try: ${EXAMPLES.en}`;
}

/** What the assistant offers when greeted. */
export function greetingText(language: Language): string {
  return language === 'ko'
    ? `안녕하세요! 이 API의 로그를 분석해 드릴게요. 예를 들어 이렇게 물어보세요: ${EXAMPLES.ko}`
    : `Hello! I answer questions about this API's logs. For example: ${EXAMPLES.en}`;
}
