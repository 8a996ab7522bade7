/** Contact-centre call reasons recognised by keyword, with the follow-up an agent usually owes for each. */

export interface Intent {
  id: string;
  /** plain words for summaries: "Customer is calling about <label>" */
  label: string;
  pattern: RegExp;
  followUp: string;
}

export const INTENTS: readonly Intent[] = [
  {
    id: 'cancellation',
    label: 'cancelling their subscription',
    pattern:
      /\b(cancel\w*|terminat\w*|close (?:my|the) account|end (?:my|the) (?:contract|subscription)|leave|leaving|switch(?:ing)? provider)\b/i,
    followUp: 'Record the cancellation or retention outcome on the account and send written confirmation.',
  },
  {
    id: 'refund',
    label: 'a refund',
    pattern: /\b(refund\w*|money back|reimburs\w*|charge ?back)\b/i,
    followUp: 'Confirm the refund amount and the date it will reach the customer.',
  },
  {
    id: 'billing',
    label: 'a billing problem',
    pattern:
      /\b(bill|billed|billing|invoice\w*|charged|overcharged|double charged|charge|statement|direct debit|price increase)\b/i,
    followUp: 'Check the corrected bill is issued and note the adjustment on the account.',
  },
  {
    id: 'password-reset',
    label: 'resetting their password',
    pattern: /\b(password|log ?in|sign ?in|locked out|two[- ]factor|verification code|can't access)\b/i,
    followUp: 'Confirm the customer can sign in with the new password.',
  },
  {
    id: 'address-change',
    label: 'changing their address',
    pattern:
      /\b(change (?:of|my|the) address|change address|new address|update (?:my|the) address|(?:moved|moving) (?:house|home|flat|out)|(?:moved|moving) to a new|postcode|zip code)\b/i,
    followUp: 'Send confirmation of the updated address.',
  },
  {
    id: 'delivery',
    label: 'a delayed delivery',
    pattern:
      /\b(deliver\w*|parcel|package|courier|tracking|order (?:hasn't|has not|never) (?:arrived|come)|not arrived|hasn't arrived|shipment)\b/i,
    followUp: 'Chase the courier and update the customer with the new delivery date.',
  },
  {
    id: 'lost-card',
    label: 'a lost or stolen card',
    pattern:
      /\b(lost (?:my )?card|card (?:was |has been |got )?(?:lost|stolen)|stolen|block (?:my|the) card|freeze (?:my|the) card|fraud\w*|unauthori[sz]ed)\b/i,
    followUp: 'Confirm the card is blocked and a replacement is on its way.',
  },
  {
    id: 'payment-plan',
    label: 'setting up a payment plan',
    pattern:
      /\b(payment plan|instal(?:l)?ments?|spread (?:the )?(?:cost|payments?)|can't afford|cannot afford|struggling to pay|arrears|pay (?:it )?(?:off )?monthly)\b/i,
    followUp: 'Send the payment plan schedule and set a review date.',
  },
  {
    id: 'complaint',
    label: 'a complaint',
    pattern:
      /\b(complain\w*|complaint|unacceptable|speak to (?:a |your )?(?:manager|supervisor)|escalat\w*)\b/i,
    followUp: 'Log the complaint and tell the customer when they will hear back.',
  },
];

export interface IntentHit {
  intent: Intent;
  /** number of customer sentences mentioning it */
  count: number;
  /** index of the first turn mentioning it (earlier wins ties) */
  firstTurn: number;
}

/** Rank intents mentioned in customer text: most mentions first, then earliest. */
export function rankIntents(customerTurns: readonly string[]): IntentHit[] {
  const hits = new Map<string, IntentHit>();
  customerTurns.forEach((text, turn) => {
    for (const intent of INTENTS) {
      if (!intent.pattern.test(text)) continue;
      const hit = hits.get(intent.id);
      if (hit) hit.count++;
      else hits.set(intent.id, { intent, count: 1, firstTurn: turn });
    }
  });
  return [...hits.values()].sort((a, b) => b.count - a.count || a.firstTurn - b.firstTurn);
}

export function matchesAnyIntent(text: string): boolean {
  return INTENTS.some((i) => i.pattern.test(text));
}
