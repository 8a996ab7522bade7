import { describe, expect, it } from 'vitest';
import { TranscriptRedactor, parseRedactionKinds, passesLuhn, type TranscriptSegment } from '../src/index.js';
import { makeSegment } from './store-contract.js';

/** a segment as an ASR engine gives it: words with times, text = words joined */
function spoken(text: string, overrides: Partial<TranscriptSegment> = {}): TranscriptSegment {
  return makeSegment(text, overrides);
}

const all = new TranscriptRedactor(['card', 'ssn', 'email', 'phone']);
const cardOnly = new TranscriptRedactor();

describe('Luhn', () => {
  it('accepts valid card numbers and rejects a changed digit', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('5500005555555559')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
    expect(passesLuhn('41a1')).toBe(false);
  });
});

describe('card numbers (on by default)', () => {
  it('redacts a card number spoken digit by digit, keeping the words around it and their timing', () => {
    const segment = spoken(
      'my card is four one one one one one one one one one one one one one one one thanks',
    );
    const { segment: out, kinds } = cardOnly.redact(segment);
    expect(kinds).toEqual(['card']);
    expect(out.text).toBe('my card is [redacted:card] thanks');
    expect(out.words.map((word) => word.text)).toEqual(['my', 'card', 'is', '[redacted:card]', 'thanks']);
    const marker = out.words[3]!;
    expect(marker.redacted).toBe(true);
    expect(marker.offset).toBe(segment.words[3]!.offset);
    const lastDigit = segment.words[18]!;
    expect(marker.offset + marker.duration).toBeCloseTo(lastDigit.offset + lastDigit.duration);
    expect(out.words[4]).toEqual(segment.words[19]);
  });

  it('handles numerals in groups, "oh" for zero, "double"/"triple", and fillers inside the number', () => {
    expect(cardOnly.redact(spoken('it is 4111 1111 1111 1111.')).segment.text).toBe('it is [redacted:card].');
    // 5500 0055 5555 5559
    expect(
      cardOnly.redact(
        spoken('five five oh oh, uh, oh oh five five, five five five five, five five five nine ok'),
      ).segment.text,
    ).toBe('[redacted:card] ok');
    expect(
      cardOnly.redact(spoken('double five double oh double oh double five triple five five triple five nine'))
        .segment.text,
    ).toBe('[redacted:card]');
    expect(cardOnly.redact(spoken('number 4111-1111-1111-1111')).segment.text).toBe('number [redacted:card]');
  });

  it('leaves digit strings that fail Luhn, and short numbers, alone', () => {
    const notCard = spoken('order four one one one one one one one one one one one one one one two');
    expect(cardOnly.redact(notCard)).toEqual({ segment: notCard, kinds: [] });
    const small = spoken('I have two kids and one dog, call me at five');
    expect(cardOnly.redact(small).segment).toBe(small);
  });

  it('in a partial (still growing) result, any 8+ digit run is redacted as a possible card', () => {
    const partial = spoken('my card is four one one one one one one one', { isFinal: false });
    expect(cardOnly.redact(partial).segment.text).toBe('my card is [redacted:card]');
    const final = spoken('my card is four one one one one one one one');
    expect(cardOnly.redact(final).segment.text).toBe('my card is four one one one one one one one');
  });

  it('redacts the text even when it is formatted differently from the words', () => {
    const segment = spoken('four one one one one one one one one one one one one one one one');
    const formatted = { ...segment, text: 'Sure, 4111 1111 1111 1111.' };
    const out = cardOnly.redact(formatted).segment;
    expect(out.text).toBe('Sure, [redacted:card].');
    expect(out.words.map((word) => word.text)).toEqual(['[redacted:card]']);
  });

  it('does not modify its input', () => {
    const segment = spoken('4111 1111 1111 1111');
    const copy = structuredClone(segment);
    cardOnly.redact(segment);
    expect(segment).toEqual(copy);
  });
});

describe('optional kinds', () => {
  it('SSN-like numbers only when enabled, and only valid ones', () => {
    const ssn = spoken('my social is one two three four five six seven eight nine');
    expect(cardOnly.redact(ssn).segment.text).toBe(ssn.text);
    expect(all.redact(ssn).segment.text).toBe('my social is [redacted:ssn]');
    expect(all.redact(spoken('it is 123-45-6789')).segment.text).toBe('it is [redacted:ssn]');
    expect(all.redact(spoken('it is 666-45-6789')).segment.text).toBe('it is 666-45-6789');
  });

  it('phone numbers spoken or written', () => {
    expect(all.redact(spoken('call five five five one two three four five six seven')).segment.text).toBe(
      'call [redacted:phone]',
    );
    expect(all.redact(spoken('call (555) 123-4567 today')).segment.text).toBe('call [redacted:phone] today');
    expect(all.redact(spoken('call +44 20 7946 0958')).segment.text).toBe('call [redacted:phone]');
  });

  it('e-mail addresses written or spoken', () => {
    expect(all.redact(spoken('mail john.smith@example.com please')).segment.text).toBe(
      'mail [redacted:email] please',
    );
    const out = all.redact(spoken('it is john dot smith at example dot co dot uk thanks')).segment;
    expect(out.text).toBe('it is [redacted:email] thanks');
    expect(out.words.filter((word) => word.redacted)).toHaveLength(1);
    expect(all.redact(spoken('I am at home now')).segment.text).toBe('I am at home now');
    expect(all.redact(spoken('we met at the office dot')).segment.text).toBe('we met at the office dot');
  });

  it('redaction off leaves everything', () => {
    const segment = spoken('4111 1111 1111 1111 john@example.com');
    expect(new TranscriptRedactor([]).redact(segment).segment).toBe(segment);
  });
});

describe('HOOKSCRIBE_REDACT parsing', () => {
  it('defaults to card; "none" and "" turn it off; lists are parsed; unknown kinds are a clear error', () => {
    expect(parseRedactionKinds(undefined)).toEqual(['card']);
    expect(parseRedactionKinds('none')).toEqual([]);
    expect(parseRedactionKinds('')).toEqual([]);
    expect(parseRedactionKinds(' card, SSN ,email,phone,card')).toEqual(['card', 'ssn', 'email', 'phone']);
    expect(() => parseRedactionKinds('card,passport')).toThrow(/unknown kind\(s\) passport/);
  });
});
