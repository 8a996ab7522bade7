import { Fragment, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { TranscriptSegment, TranscriptWord } from '../api/types.js';
import { formatClock } from '../lib/time-format.js';
import type { PauseSpan } from '../lib/pause-spans.js';
import type { WordRef } from '../lib/word-at-time.js';

/** Words below this confidence are marked (dotted underline, confidence in the tooltip). */
export const LOW_CONFIDENCE = 0.5;

export interface TranscriptLanesProps {
  /** segments in stream order */
  segments: readonly TranscriptSegment[];
  /** follow new turns (live view); stops when the user scrolls up, with a button to jump back */
  follow?: boolean;
  /** the word being played (history player) */
  activeWord?: WordRef | null;
  /** clicking a word (or Enter on a turn) seeks the recording */
  onSeek?: (seconds: number) => void;
  /** paused spans of the stream (secure pause and others), shown across both lanes where they happened */
  pauses?: readonly PauseSpan[];
}

function PauseMarker({ span }: { span: PauseSpan }) {
  const what = span.secure ? 'Secure pause' : 'Paused';
  const until = span.end === null ? 'now' : formatClock(span.end);
  return (
    <div className={`pause-marker${span.secure ? ' secure' : ''}`} data-start={span.start} role="note">
      ⏸ {what} {formatClock(span.start)}–{until}: audio not streamed{span.secure ? ' (card details)' : ''}
    </div>
  );
}

/** Turns and pause markers in stream order (a pause sorts before a turn starting at the same time). */
function timelineItems(segments: readonly TranscriptSegment[], pauses: readonly PauseSpan[]) {
  const items: (
    { kind: 'turn'; at: number; segment: TranscriptSegment } | { kind: 'pause'; at: number; span: PauseSpan }
  )[] = [
    ...segments.map((segment) => ({ kind: 'turn' as const, at: segment.offset, segment })),
    ...pauses.map((span) => ({ kind: 'pause' as const, at: span.start, span })),
  ];
  return items.sort((a, b) => a.at - b.at || (a.kind === 'pause' ? -1 : 1));
}

function Word({
  word,
  active,
  onSeek,
}: {
  word: TranscriptWord;
  active: boolean;
  onSeek?: (s: number) => void;
}) {
  const classes = ['word'];
  if (active) classes.push('active');
  if (onSeek) classes.push('seekable');
  const click = onSeek ? () => onSeek(word.offset) : undefined;
  if (word.redacted) {
    return (
      <span
        className={`${classes.join(' ')} redacted`}
        title="redacted"
        onClick={click}
        data-offset={word.offset}
      >
        redacted
      </span>
    );
  }
  const low = word.confidence < LOW_CONFIDENCE;
  if (low) classes.push('low-confidence');
  return (
    <span
      className={classes.join(' ')}
      title={low ? `low confidence (${word.confidence.toFixed(2)})` : undefined}
      onClick={click}
      data-offset={word.offset}
    >
      {word.text}
    </span>
  );
}

function Turn({
  segment,
  activeIndex,
  onSeek,
}: {
  segment: TranscriptSegment;
  activeIndex: number | null;
  onSeek?: (s: number) => void;
}) {
  const onKey = (e: KeyboardEvent) => {
    if (onSeek && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      onSeek(segment.offset);
    }
  };
  const words = segment.words.length
    ? segment.words
    : // a partial may come without word timings: show its text
      segment.text
        .split(/\s+/)
        .filter(Boolean)
        .map((text) => ({ text, offset: segment.offset, duration: 0, confidence: 1 }));
  return (
    <div
      className={`turn lane-${segment.role}${segment.isFinal ? '' : ' partial'}`}
      data-segment-id={segment.id}
      data-final={segment.isFinal}
      tabIndex={onSeek ? 0 : undefined}
      onKeyDown={onKey}
      aria-label={
        onSeek
          ? `${segment.role} at ${formatClock(segment.offset)}, press Enter to play from here`
          : undefined
      }
    >
      <div className="turn-meta">
        <span className="role">{segment.role}</span>
        <span className="mono">{formatClock(segment.offset)}</span>
        {!segment.isFinal && <span className="partial-tag">speaking…</span>}
      </div>
      <p className="turn-text">
        {words.map((word, i) => (
          <Fragment key={i}>
            {i > 0 && ' '}
            <Word word={word} active={activeIndex === i} onSeek={onSeek} />
          </Fragment>
        ))}
      </p>
    </div>
  );
}

export function TranscriptLanes({
  segments,
  follow = false,
  activeWord = null,
  onSeek,
  pauses = [],
}: TranscriptLanesProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [stuck, setStuck] = useState(true);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (follow && stuck && el) el.scrollTop = el.scrollHeight;
  }, [segments, pauses, follow, stuck]);

  // keep the played word in view
  useEffect(() => {
    if (!activeWord) return;
    const el = scroller.current?.querySelector('.word.active');
    el?.scrollIntoView?.({ block: 'nearest' });
  }, [activeWord]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el || !follow) return;
    setStuck(el.scrollHeight - el.scrollTop - el.clientHeight < 48);
  };

  const jumpToLive = () => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
    setStuck(true);
  };

  return (
    <div className="lanes-wrap">
      <div className="lane-headers" aria-hidden="true">
        <span>Customer</span>
        <span>Agent</span>
      </div>
      <div
        className="lanes"
        ref={scroller}
        onScroll={onScroll}
        aria-label="Transcript"
        role="log"
        tabIndex={0}
      >
        {segments.length === 0 && pauses.length === 0 && <p className="empty">No speech yet.</p>}
        {timelineItems(segments, pauses).map((item) =>
          item.kind === 'pause' ? (
            <PauseMarker key={`pause-${item.span.start}`} span={item.span} />
          ) : (
            <Turn
              key={item.segment.id}
              segment={item.segment}
              activeIndex={activeWord?.segmentId === item.segment.id ? activeWord.index : null}
              onSeek={onSeek}
            />
          ),
        )}
      </div>
      {follow && !stuck && (
        <button type="button" className="jump-live" onClick={jumpToLive}>
          Jump to live ↓
        </button>
      )}
    </div>
  );
}
