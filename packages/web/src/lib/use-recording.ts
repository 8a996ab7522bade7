/**
 * Loads a conversation's recording, decodes it (µ-law WAV) and exposes playback with a position that updates every
 * animation frame while playing.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../api/api-client.js';
import { decodeWav } from './mulaw-wav.js';
import { WavPlayback } from './wav-playback.js';

const RECORDING_RETRIES = 5;
const RECORDING_RETRY_MS = 2000;

export interface RecordingState {
  status: 'loading' | 'ready' | 'missing' | 'error';
  error: string | null;
  duration: number;
  position: number;
  playing: boolean;
  play(): void;
  pause(): void;
  seek(seconds: number): void;
}

/** `conversationId` null: nothing is loaded (the caller's role may not play audio). */
export function useRecording(api: ApiClient, conversationId: string | null): RecordingState {
  const playback = useRef<WavPlayback | null>(null);
  const [status, setStatus] = useState<RecordingState['status']>('loading');
  const [error, setError] = useState<string | null>(null);
  const [duration, setDuration] = useState(0);
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(false);

  useEffect(() => {
    let cancelled = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    setPosition(0);
    setPlaying(false);
    if (conversationId === null) {
      setStatus('missing');
      return;
    }
    setStatus('loading');
    const id = conversationId;
    const load = (attempt: number) => {
      api.getRecording(id).then(
        (bytes) => {
          if (cancelled) return;
          try {
            const player = new WavPlayback(decodeWav(bytes));
            player.onEnded = () => {
              setPlaying(false);
              setPosition(player.currentTime);
            };
            playback.current = player;
            setDuration(player.duration);
            setStatus('ready');
          } catch (err) {
            setStatus('error');
            setError((err as Error).message);
          }
        },
        (err: Error & { status?: number }) => {
          if (cancelled) return;
          // a just-ended call's recording is still being finalised and stored: look again a few times
          if (err.status === 404 && attempt < RECORDING_RETRIES) {
            retry = setTimeout(() => load(attempt + 1), RECORDING_RETRY_MS);
            return;
          }
          setStatus(err.status === 404 ? 'missing' : 'error');
          setError(err.message);
        },
      );
    };
    load(0);
    return () => {
      cancelled = true;
      clearTimeout(retry);
      playback.current?.close();
      playback.current = null;
    };
  }, [api, conversationId]);

  useEffect(() => {
    if (!playing) return;
    let frame = 0;
    const tick = () => {
      const player = playback.current;
      if (player) setPosition(player.currentTime);
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing]);

  const play = useCallback(() => {
    const player = playback.current;
    if (!player) return;
    player.play().then(
      () => setPlaying(true),
      (err: Error) => setError(err.message),
    );
  }, []);
  const pause = useCallback(() => {
    playback.current?.pause();
    setPlaying(false);
    setPosition(playback.current?.currentTime ?? 0);
  }, []);
  const seek = useCallback((seconds: number) => {
    const player = playback.current;
    if (!player) return;
    void player.seek(seconds).then(() => setPosition(player.currentTime));
    setPosition(seconds);
  }, []);

  return { status, error, duration, position, playing, play, pause, seek };
}
