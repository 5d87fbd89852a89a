import { useState } from 'react';
import { Link, useSearch } from 'wouter';
import { useMutation, useSubscription } from 'urql';
import { ErrorState } from '../../components/states/states.tsx';
import { graphql } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { hrefWithControls } from '../../lib/controls.ts';
import { ProviderBadge } from './AiInsightView.tsx';
import { citationPath } from './citations.ts';

const AiChat_Subscription = graphql(/* GraphQL */ `
  subscription AiChat_Subscription($conversationId: ID!) {
    chatStream(conversationId: $conversationId) {
      turnId
      delta
      done
      answer
    }
  }
`);

const AiChat_Mutation = graphql(/* GraphQL */ `
  mutation AiChat_Mutation($conversationId: ID!, $message: String!) {
    chat(conversationId: $conversationId, message: $message) {
      turnId
      answer
      provider
      refused
      citations {
        analysis
        arguments
        from
        to
        figures {
          label
          value
          unit
        }
      }
    }
  }
`);

interface Turn {
  question: string;
  reply?: { turnId: string; answer: string; provider: string; refused: boolean; citations: { analysis: string; arguments: string | null; from: string; to: string }[] };
}

/** Chat grounded in the analyses: answers stream in as they are produced, with their sources. */
export function AiChat() {
  const { t, fmt } = useI18n();
  const search = useSearch();
  const [conversationId] = useState(() => crypto.randomUUID());
  const [turns, setTurns] = useState<Turn[]>([]);
  const [draft, setDraft] = useState('');
  const [stream] = useSubscription({ query: AiChat_Subscription, variables: { conversationId } }, (prev: Record<string, string> | undefined, data) => {
    const e = data.chatStream;
    return { ...prev, [e.turnId]: e.done && e.answer ? e.answer : (prev?.[e.turnId] ?? '') + e.delta, latest: e.turnId };
  });
  const [sent, send] = useMutation(AiChat_Mutation);
  const pendingText = stream.data?.latest && !turns.some((tu) => tu.reply?.turnId === stream.data?.latest) ? stream.data[stream.data.latest] : undefined;

  const submit = async () => {
    const message = draft.trim();
    if (!message || sent.fetching) return;
    setDraft('');
    setTurns((list) => [...list, { question: message }]);
    const result = await send({ conversationId, message });
    const reply = result.data?.chat;
    if (reply) setTurns((list) => list.map((tu, i) => (i === list.length - 1 ? { ...tu, reply } : tu)));
  };

  return (
    <div className="chat" data-testid="ai-chat">
      <div className="chat-log" aria-live="polite">
        {turns.map((turn, i) => (
          <div key={i} className="chat-turn">
            <div className="chat-message user" data-raw="">
              {turn.question}
            </div>
            {turn.reply ? (
              <div className="chat-message assistant" data-testid="chat-answer">
                <div className="finding-head" style={{ marginBottom: 4 }}>
                  <strong>{t('ai.assistant')}</strong>
                  <ProviderBadge provider={turn.reply.provider} />
                  {turn.reply.refused && <span className="badge">{t('ai.refused')}</span>}
                </div>
                <span data-raw="">
                  {stream.data?.[turn.reply.turnId] && stream.data[turn.reply.turnId]!.length > turn.reply.answer.length ? stream.data[turn.reply.turnId] : turn.reply.answer}
                </span>
                {turn.reply.citations.length > 0 && (
                  <div className="chips" style={{ marginTop: 8 }}>
                    <span className="muted">{t('ai.citations')}:</span>
                    {turn.reply.citations.map((c, j) => (
                      <Link key={j} className="chip" href={hrefWithControls(citationPath(c.analysis), search, { range: null, from: c.from, to: c.to })} title={`${fmt.dateTime(c.from)} – ${fmt.dateTime(c.to)}${c.arguments ? ` · ${c.arguments}` : ''}`}>
                        <code>{c.analysis}</code>
                      </Link>
                    ))}
                  </div>
                )}
              </div>
            ) : (
              i === turns.length - 1 && <div className="chat-message assistant muted">{pendingText || t('ai.pending')}</div>
            )}
          </div>
        ))}
      </div>
      {sent.error && <ErrorState error={sent.error} />}
      <form
        className="chat-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <input type="text" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder={t('ai.chatPlaceholder')} aria-label={t('ai.chat')} maxLength={2000} />
        <button type="submit" className="button button-primary" disabled={sent.fetching || !draft.trim()}>
          {t('ai.send')}
        </button>
      </form>
    </div>
  );
}
